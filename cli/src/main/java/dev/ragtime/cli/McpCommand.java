package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.server.mcp.McpEndpoints;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ragtime mcp}: the MCP server over stdio, for agents that start Ragtime as a child process.
 * Stdout carries nothing but JSON-RPC messages: the process's {@code System.out} is pointed at
 * stderr before anything else runs, so logs and stray prints cannot corrupt the protocol. It serves
 * until stdin ends or SIGTERM, then lets accepted ingestion finish and commits, exiting 0.
 */
@Command(
    name = "mcp",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the MCP tools (search, ingest_text, list_collections, get_document) over stdio.",
      "Stdout carries only MCP messages; logs go to stderr. Ends when stdin closes."
    })
final class McpCommand implements Callable<Integer> {

  @ParentCommand Main main;

  /**
   * Where MCP messages are read from and written to; the process's own stdio unless a test sets
   * them.
   */
  InputStream in;

  OutputStream protocol;

  @Override
  public Integer call() throws InterruptedException {
    OutputStream out = protocol;
    InputStream input = in;
    if (out == null) {
      // Take the real stdout for the protocol and send everything else that prints to stderr.
      out = new FileOutputStream(FileDescriptor.out);
      System.setOut(
          new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
      input = new FileInputStream(FileDescriptor.in);
    }
    var stop = new CountDownLatch(1);
    var stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                stopped.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              main.err.flush();
              Runtime.getRuntime().halt(0);
            },
            "ragtime-mcp-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Ragtime rt = main.ragtime(meters)) {
      main.err.println("ragtime: serving MCP over stdio; close stdin to stop");
      McpEndpoints.serveStdio(rt.serverParts(meters), input, out, stop);
      return 0;
    } finally {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutdown already began: the hook runs and exits once this returns
      }
    }
  }
}
