package dev.ragtime.bench.service;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtime.app.Ragtime;
import dev.ragtime.app.RagtimeConfig;
import dev.ragtime.bench.measure.CpuMeter;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.config.Settings;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.embed.PipelineStats;
import dev.ragtime.index.Index;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.ingest.CorpusSources;
import dev.ragtime.ingest.IngestProgress;
import dev.ragtime.ingest.IngestReport;
import dev.ragtime.ingest.SourceDocument;
import dev.ragtime.ingest.SourceScan;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.Searcher;
import dev.ragtime.server.RagtimeServer;
import dev.ragtime.server.ServerConfig;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import dev.ragtime.simulator.SimulatorCounters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load and soak of the service (issue 9, item 7), in one JVM that hosts the server, its clients and
 * (for the gateway) the provider simulator:
 *
 * <ol>
 *   <li>{@code search}: hybrid search of SciFact at {@code --clients} concurrent clients, each
 *       query embedded by the local model (the embedding cache is off), first in-process (the
 *       {@link Searcher} the server uses, called directly) and then over HTTP ({@code POST
 *       /v1/collections/{name}/search} with the JDK client): QPS, p50/p99 and the ratio of the two;
 *   <li>{@code soak}: the same HTTP search load while a writer posts documents continuously ({@code
 *       ?wait=true}, batches of 8): per window, search QPS and p99, documents posted, and the heap
 *       in use after garbage collection;
 *   <li>{@code gateway}: {@code --gateway-clients} clients each sending one text at a time to
 *       {@code POST /v1/embeddings} of a service whose remote provider is the simulator on
 *       127.0.0.1, limited to {@code --gateway-rpm} requests per minute: texts per second against
 *       the provider's ceiling ({@link GatewayCeiling}), and texts per provider request.
 * </ol>
 *
 * <p>Each measured run follows a warm-up run of the same load, whose results are dropped.
 */
public final class ServiceBenchmark {
  private static final String USAGE =
      """
      Usage: bench/run-service-bench.sh [options]
        --dataset DIR          BEIR SciFact directory (default ../shared/data/beir/scifact)
        --work DIR             data and results (default bench/target/service-bench); the index
                               is kept there, so a second run does not embed the corpus again
        --native-dir DIR       natives of the local model (default bench/target/issue4/native)
        --phases LIST          of search, soak, gateway (default all)
        --quick                a short run (under 3 minutes once built): the first 300 documents,
                               3 s warm-ups, 8 s measurements, 15 s soak, 10 s gateway
        --docs N               index the first N documents (default all 5,183)
        --clients N            concurrent search clients (default 64)
        --query-cache          keep the embedding memory cache on (as `ragtime serve` has it):
                               the 1,109 queries repeat, so most searches then skip the model;
                               prints the share of cache hits (default: off, every search
                               embeds its query)
        --rate QPS             also run each search load open-loop: QPS searches started per
                               second, at most --clients in progress, latency from when each
                               was due (default 0: closed loop only)
        --warmup-seconds S     before each measurement (default 10)
        --seconds S            each search measurement (default 30)
        --soak-seconds S       the soak (default 60), in windows of --soak-window (default 10)
        --soak-think-ms N      each soak client pauses N ms between searches (default 0: the
                               search load; more leaves the model time for the posted documents)
        --gateway-clients N    (default 128)
        --gateway-rpm N        the simulated provider's requests per minute (default 600)
        --gateway-seconds S    (default 30)
      """;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "text-embedding-3-small";

  private ServiceBenchmark() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (List.of(args).contains("--help")) {
      out.print(USAGE);
      return;
    }
    Options o =
        Options.parse(
            args,
            Set.of(
                "--dataset",
                "--work",
                "--native-dir",
                "--phases",
                "--docs",
                "--clients",
                "--rate",
                "--warmup-seconds",
                "--seconds",
                "--soak-seconds",
                "--soak-window",
                "--soak-think-ms",
                "--gateway-clients",
                "--gateway-rpm",
                "--gateway-seconds"),
            Set.of("--quick", "--query-cache"));
    boolean quick = o.has("--quick");
    Path dataset = o.path("--dataset", "../shared/data/beir/scifact").toAbsolutePath();
    Path work = o.path("--work", "bench/target/service-bench").toAbsolutePath();
    Path nativeDir = o.path("--native-dir", "bench/target/issue4/native").toAbsolutePath();
    var p =
        new Params(
            o.list("--phases", "search,soak,gateway"),
            o.integer("--docs", quick ? 300 : Integer.MAX_VALUE),
            o.integer("--clients", 64),
            o.integer("--rate", 0),
            o.has("--query-cache"),
            Duration.ofSeconds(o.integer("--warmup-seconds", quick ? 3 : 10)),
            Duration.ofSeconds(o.integer("--seconds", quick ? 8 : 30)),
            Duration.ofSeconds(o.integer("--soak-seconds", quick ? 15 : 60)),
            Duration.ofSeconds(o.integer("--soak-window", quick ? 5 : 10)),
            Duration.ofMillis(o.integer("--soak-think-ms", 0)),
            o.integer("--gateway-clients", 128),
            o.integer("--gateway-rpm", 600),
            Duration.ofSeconds(o.integer("--gateway-seconds", quick ? 10 : 30)));
    Files.createDirectories(work);
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("params", p.toString());
    out.printf(
        Locale.ROOT,
        "service benchmark: %d cores, %s %s, max heap %.0f MiB, load now %.1f%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() / (1024.0 * 1024),
        CpuMeter.loadAverage());
    if (p.phases.contains("search") || p.phases.contains("soak")) {
      searchAndSoak(dataset, work, nativeDir, p, results, out);
    }
    if (p.phases.contains("gateway")) {
      results.put("gateway", gateway(work, p, out));
    }
    Path file = work.resolve("results.json");
    JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
    out.printf("results: %s%n", file);
    // The MCP SDK's streamable-HTTP session sweeper is a non-daemon thread that outlives the
    // closed server, so the JVM would not exit by itself.
    System.exit(0);
  }

  /** What a run measures; see {@link #USAGE}. */
  record Params(
      List<String> phases,
      int docs,
      int clients,
      int rate,
      boolean queryCache,
      Duration warmup,
      Duration measure,
      Duration soak,
      Duration soakWindow,
      Duration soakThink,
      int gatewayClients,
      int gatewayRpm,
      Duration gatewayMeasure) {}

  // ---- search and soak ----

  private static void searchAndSoak(
      Path dataset,
      Path work,
      Path nativeDir,
      Params p,
      Map<String, Object> results,
      PrintStream out)
      throws Exception {
    String collection = p.docs == Integer.MAX_VALUE ? "scifact" : "scifact-" + p.docs;
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("native-dir", nativeDir.toString());
    settings.put("embedding.cache-persistent", "false");
    if (!p.queryCache) {
      settings.put("embedding.cache-memory-bytes", "0"); // every search embeds its query
    }
    RagtimeConfig config =
        RagtimeConfig.from(Settings.of(settings), Optional.of(work.resolve("data")), Map.of());
    List<String> queries = queries(dataset);
    var prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Ragtime rt = Ragtime.create(config, prometheus)) {
      rt.loadModel();
      List<CorpusRecord> soakDocs =
          ensureIndex(rt, dataset.resolve("corpus.jsonl"), collection, p, out);
      if (p.phases.contains("search")) {
        Recording.Window local;
        try (SearchableIndex index = rt.collections().openReadOnly(collection, rt.modelInfo())) {
          Searcher searcher = rt.searcher(index);
          ClosedLoop.Call call =
              (client, seq) -> searcher.search(hybrid(queries.get((int) (seq % queries.size()))));
          var before = rt.pipelineStats();
          local = measure("in-process", p.clients, p.warmup, p.measure, call, out);
          printCacheHits(before, rt.pipelineStats(), out);
          if (p.rate > 0) {
            results.put("inProcessAtRate", atRate("in-process", p, call, out));
          }
        }
        results.put("inProcess", local);
        try (var server = startServer(rt, prometheus)) {
          var http = new SearchClient(server.port(), collection);
          ClosedLoop.Call call =
              (client, seq) -> http.search(queries.get((int) (seq % queries.size())));
          var before = rt.pipelineStats();
          Recording.Window remote = measure("HTTP", p.clients, p.warmup, p.measure, call, out);
          printCacheHits(before, rt.pipelineStats(), out);
          results.put("http", remote);
          double qpsRatio = remote.perSecond() / local.perSecond();
          double p99Ratio = remote.p99Ms() / local.p99Ms();
          results.put("httpOverQpsRatio", qpsRatio);
          results.put("httpOverP99Ratio", p99Ratio);
          out.printf(
              Locale.ROOT,
              "HTTP / in-process: QPS %.2f×, p50 %.2f×, p99 %.2f×%n",
              qpsRatio,
              remote.p50Ms() / local.p50Ms(),
              p99Ratio);
          // Little's law: closed-loop clients without pauses keep every client busy, so the mean
          // latency is clients / QPS; p99 <= 100 ms then needs clients / 0.1 s QPS at least.
          out.printf(
              Locale.ROOT,
              "closed loop: mean latency = %d clients / QPS, so p99 <= 100 ms needs >= %d QPS here;"
                  + " the target (>= 300 QPS, p99 <= 100 ms) is judged on an open-loop run"
                  + " (--rate 300)%n",
              p.clients,
              p.clients * 10);
          if (p.rate > 0) {
            Recording.Window open = atRate("HTTP", p, call, out);
            results.put("httpAtRate", open);
            out.printf(
                Locale.ROOT,
                "target (>= 300 QPS offered and served, p99 <= 100 ms, over HTTP): %s%n",
                p.rate >= 300 && open.perSecond() >= 0.99 * p.rate && open.p99Ms() <= 100
                    ? "met"
                    : "not met");
          }
        }
      }
      if (p.phases.contains("soak")) {
        try (var server = startServer(rt, prometheus)) {
          results.put("soak", soak(server.port(), collection, queries, soakDocs, p, out));
        }
      }
    }
  }

  private static RagtimeServer startServer(Ragtime rt, PrometheusMeterRegistry prometheus) {
    return RagtimeServer.create(
            ServerConfig.defaults().withAddress("127.0.0.1", 0), rt.serverParts(prometheus))
        .start();
  }

  private static SearchRequest hybrid(String query) {
    return new SearchRequest(query, 10, SearchMode.HYBRID, Map.of());
  }

  /** A warm-up run of the load, then the measured run; prints and returns the measured window. */
  private static Recording.Window measure(
      String label,
      int clients,
      Duration warmup,
      Duration measure,
      ClosedLoop.Call call,
      PrintStream out)
      throws InterruptedException {
    ClosedLoop.run(clients, warmup, call);
    ClosedLoop.Run run = ClosedLoop.run(clients, measure, call);
    Recording.Window w = run.window(Duration.ZERO, measure);
    out.printf(
        Locale.ROOT,
        "%-10s %3d clients, %4.0f s: %,8.1f QPS, p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms,"
            + " %d failed%n",
        label,
        clients,
        w.seconds(),
        w.perSecond(),
        w.p50Ms(),
        w.p99Ms(),
        w.maxMs(),
        run.recording().failed());
    printFailure(run, out);
    return w;
  }

  /**
   * The same load open-loop: {@code p.rate} calls started per second (at most {@code p.clients} in
   * progress) for {@code p.measure}, right after a closed-loop run of it (the warm-up).
   */
  private static Recording.Window atRate(
      String label, Params p, ClosedLoop.Call call, PrintStream out) throws InterruptedException {
    ClosedLoop.Run run = OpenLoop.run(p.rate, p.clients, p.measure, call);
    // Served: the calls that ended within the run. Latency: of every call due in it, including
    // those that ended after it (the run waits for them), so a lagging service shows in p99.
    double served = run.window(Duration.ZERO, p.measure).perSecond();
    Recording.Window w = run.window(Duration.ZERO, p.measure.multipliedBy(1_000));
    out.printf(
        Locale.ROOT,
        "%-10s at %d/s offered (open loop, <= %d in progress), %.0f s: %,8.1f served/s, p50 %7.2f"
            + " ms, p99 %7.2f ms, max %7.2f ms, %d failed%n",
        label,
        p.rate,
        p.clients,
        p.measure.toNanos() / 1e9,
        served,
        w.p50Ms(),
        w.p99Ms(),
        w.maxMs(),
        run.recording().failed());
    printFailure(run, out);
    return new Recording.Window(
        Math.round(served * p.measure.toNanos() / 1e9),
        p.measure.toNanos() / 1e9,
        w.p50Ms(),
        w.p99Ms(),
        w.maxMs());
  }

  /** The share of query embeddings the cache served between two readings (warm-up included). */
  private static void printCacheHits(
      Optional<PipelineStats> before, Optional<PipelineStats> after, PrintStream out) {
    if (before.isEmpty() || after.isEmpty()) {
      return;
    }
    long texts = after.get().textsRequested() - before.get().textsRequested();
    long hits = after.get().cacheHits() - before.get().cacheHits();
    out.printf(
        Locale.ROOT,
        "  query embeddings from the cache (warm-up and run): %,d of %,d (%.1f%%)%n",
        hits,
        texts,
        texts == 0 ? 0.0 : 100.0 * hits / texts);
  }

  private static void printFailure(ClosedLoop.Run run, PrintStream out) {
    run.firstFailure().ifPresent(f -> out.printf("  first failure: %s%n", f));
  }

  /** The heap in use after a full collection, in MiB (run outside measured windows only). */
  private static double heapAfterFullGcMiB() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024);
  }

  /**
   * The first {@code p.docs} SciFact documents in {@code collection}: ingested (idempotently, so an
   * existing index costs one pass of hashing), anything else pruned. Returns the records the soak
   * re-posts.
   */
  private static List<CorpusRecord> ensureIndex(
      Ragtime rt, Path corpus, String collection, Params p, PrintStream out) throws IOException {
    List<CorpusRecord> records = new ArrayList<>();
    try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
      c.stream().limit(p.docs).forEach(records::add);
    }
    long start = System.nanoTime();
    try (Index index = rt.openCollection(collection);
        JsonlCorpus c = JsonlCorpus.open(corpus)) {
      Iterator<SourceDocument> all = CorpusSources.of(c, corpus.toString());
      Iterator<SourceDocument> first =
          new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
              return n < p.docs && all.hasNext();
            }

            @Override
            public SourceDocument next() {
              n++;
              return all.next();
            }
          };
      IngestReport r =
          rt.ingestor(index)
              .ingest(first, records.size(), SourceScan.empty(), true, new IngestProgress());
      out.printf(
          Locale.ROOT,
          "index '%s': %,d documents, %,d chunks (%,d embedded now) in %.1f s%n",
          collection,
          records.size(),
          index.stats().chunks(),
          r.embedded(),
          (System.nanoTime() - start) / 1e9);
    }
    return records;
  }

  /** The text of every SciFact query (test and train), in file order. */
  private static List<String> queries(Path dataset) throws IOException {
    var out = new ArrayList<String>();
    var seen = new HashSet<String>();
    for (String line : Files.readAllLines(dataset.resolve("queries.jsonl"))) {
      if (!line.isBlank()) {
        String text = JSON.readTree(line).get("text").asText();
        if (seen.add(text)) {
          out.add(text);
        }
      }
    }
    return out;
  }

  /** Search over HTTP with the JDK client, one shared connection pool. Thread-safe. */
  private static final class SearchClient {
    private final HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI uri;

    SearchClient(int port, String collection) {
      this.uri =
          URI.create("http://127.0.0.1:" + port + "/v1/collections/" + collection + "/search");
    }

    void search(String query) throws IOException, InterruptedException {
      byte[] body = JSON.writeValueAsBytes(Map.of("query", query, "k", 10, "mode", "hybrid"));
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode() + ": " + new String(r.body(), UTF_8));
      }
    }
  }

  private static Map<String, Object> soak(
      int port,
      String collection,
      List<String> queries,
      List<CorpusRecord> docs,
      Params p,
      PrintStream out)
      throws Exception {
    var http = new SearchClient(port, collection);
    HttpClient writerClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI documents =
        URI.create("http://127.0.0.1:" + port + "/v1/collections/" + collection + "/documents");
    int pool = Math.min(500, docs.size()); // ids soak-0 .. soak-(pool-1), revised over and over
    var posted = new CopyOnWriteArrayList<Long>(); // end of each accepted batch (nanoTime)
    var postFailures = new AtomicLong();
    var stop = new AtomicBoolean();
    double heapBefore = heapAfterFullGcMiB();
    var heap = new HeapAfterGc();
    int batch = 8;
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  long n = 0;
                  while (!stop.get()) {
                    var list = new ArrayList<Map<String, Object>>();
                    for (int i = 0; i < batch; i++, n++) {
                      CorpusRecord r = docs.get((int) (n % docs.size()));
                      list.add(
                          Map.of(
                              "id", "soak-" + (n % pool),
                              "text", r.title() + "\n\n" + r.text() + "\n\n(revision " + n + ")"));
                    }
                    try {
                      HttpResponse<String> resp =
                          writerClient.send(
                              HttpRequest.newBuilder(URI.create(documents + "?wait=true"))
                                  .header("Content-Type", "application/json")
                                  .POST(
                                      HttpRequest.BodyPublishers.ofByteArray(
                                          JSON.writeValueAsBytes(Map.of("documents", list))))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      if (resp.statusCode() == 200) {
                        posted.add(System.nanoTime());
                      } else {
                        postFailures.incrementAndGet();
                      }
                    } catch (IOException e) {
                      postFailures.incrementAndGet();
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    ClosedLoop.Run run;
    try {
      run =
          ClosedLoop.run(
              p.clients,
              p.soak,
              p.soakThink,
              (client, seq) -> http.search(queries.get((int) (seq % queries.size()))));
    } finally {
      stop.set(true);
      writer.join();
      heap.close();
    }
    out.printf(
        Locale.ROOT,
        "soak: %d search clients (pausing %d ms between searches) while one writer posts batches"
            + " of %d documents (wait=true)%n"
            + "%8s %10s %9s %9s %12s %16s%n",
        p.clients,
        p.soakThink.toMillis(),
        batch,
        "window",
        "search/s",
        "p50 ms",
        "p99 ms",
        "docs posted",
        "heap after GC");
    List<Map<String, Object>> windows = new ArrayList<>();
    for (Duration from = Duration.ZERO;
        from.compareTo(p.soak) < 0;
        from = from.plus(p.soakWindow)) {
      Duration to = from.plus(p.soakWindow);
      Recording.Window w = run.window(from, to);
      long a = run.startNanos() + from.toNanos();
      long b = run.startNanos() + to.toNanos();
      long docsPosted = posted.stream().filter(t -> t >= a && t < b).count() * batch;
      double heapMiB = heap.maxMiB(a, b);
      out.printf(
          Locale.ROOT,
          "%4d-%-3d %10.1f %9.2f %9.2f %12d %16s%n",
          from.toSeconds(),
          to.toSeconds(),
          w.perSecond(),
          w.p50Ms(),
          w.p99Ms(),
          docsPosted,
          Double.isNaN(heapMiB) ? "no GC" : String.format(Locale.ROOT, "%.0f MiB", heapMiB));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("fromSeconds", from.toSeconds());
      m.put("window", w);
      m.put("documentsPosted", docsPosted);
      m.put("maxHeapAfterGcMiB", heapMiB);
      windows.add(m);
    }
    printFailure(run, out);
    Recording.Window all = run.window(Duration.ZERO, p.soak);
    double heapAfter = heapAfterFullGcMiB();
    out.printf(
        Locale.ROOT,
        "soak overall: %.1f search/s, p99 %.2f ms, %d search failures; %d documents posted, %d"
            + " post failures; %d GCs; heap after a full GC %.0f MiB before the soak, %.0f MiB"
            + " after it%n",
        all.perSecond(),
        all.p99Ms(),
        run.recording().failed(),
        posted.size() * batch,
        postFailures.get(),
        heap.points().size(),
        heapBefore,
        heapAfter);
    // Leave the collection as the corpus made it.
    for (int i = 0; i < pool; i++) {
      writerClient.send(
          HttpRequest.newBuilder(URI.create(documents + "/soak-" + i)).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("overall", all);
    r.put("searchFailures", run.recording().failed());
    r.put("documentsPosted", posted.size() * batch);
    r.put("postFailures", postFailures.get());
    r.put("windows", windows);
    r.put("heapAfterFullGcBeforeMiB", heapBefore);
    r.put("heapAfterFullGcAfterMiB", heapAfter);
    return r;
  }

  // ---- gateway ----

  private static Map<String, Object> gateway(Path work, Params p, PrintStream out)
      throws Exception {
    var latency = Duration.ofMillis(50);
    var perToken = Duration.ofNanos(5_000);
    int concurrency = 8;
    int maxBatch = 32;
    SimulatorConfig simConfig =
        SimulatorConfig.builder()
            .model(MODEL)
            .dimension(64)
            .requestsPerMinute(p.gatewayRpm)
            .maxConcurrentRequests(concurrency)
            .baseLatency(latency)
            .latencyPerToken(perToken)
            .trackTexts(false)
            .build();
    String base =
        "Gateway load: one short passage per request, as an agent embedding a note would send"
            + " it, distinct per client and sequence so that no cache or single-flight helps.";
    try (ProviderSimulator sim = ProviderSimulator.start(simConfig)) {
      Path data = work.resolve("gateway-data");
      RagtimeConfig config =
          RagtimeConfig.from(
              Settings.of(
                  Map.of(
                      "embedding.provider",
                      "openai",
                      "embedding.base-url",
                      sim.baseUri().toString(),
                      "embedding.model",
                      MODEL,
                      "embedding.api-key",
                      "sk-simulated",
                      "embedding.dimensions",
                      "64",
                      "embedding.rpm",
                      Integer.toString(p.gatewayRpm),
                      "embedding.max-batch",
                      Integer.toString(maxBatch),
                      "embedding.max-concurrency",
                      Integer.toString(concurrency),
                      "embedding.cache-memory-bytes",
                      "0",
                      "embedding.cache-persistent",
                      "false")),
              Optional.of(data),
              Map.of());
      var prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (Ragtime rt = Ragtime.create(config, prometheus);
          var server = startServer(rt, prometheus)) {
        rt.loadModel();
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/embeddings");
        var round = new AtomicLong(); // keeps texts of the warm-up and the measured run distinct
        ClosedLoop.Call call =
            (client, seq) -> {
              String text = "r" + round.get() + " c" + client + " n" + seq + ". " + base;
              HttpResponse<byte[]> r =
                  http.send(
                      HttpRequest.newBuilder(uri)
                          .header("Content-Type", "application/json")
                          .POST(
                              HttpRequest.BodyPublishers.ofByteArray(
                                  JSON.writeValueAsBytes(
                                      Map.of("input", text, "model", "default"))))
                          .build(),
                      HttpResponse.BodyHandlers.ofByteArray());
              if (r.statusCode() != 200) {
                throw new IOException(
                    "HTTP " + r.statusCode() + ": " + new String(r.body(), UTF_8));
              }
            };
        ClosedLoop.run(p.gatewayClients, p.warmup, call);
        round.incrementAndGet();
        sim.counters().reset();
        ClosedLoop.Run run = ClosedLoop.run(p.gatewayClients, p.gatewayMeasure, call);
        SimulatorCounters c = sim.counters();
        Recording.Window w = run.window(Duration.ZERO, p.gatewayMeasure);
        double tokensPerText = ProviderSimulator.countTokens("r1 c10 n1000. " + base);
        var ceiling =
            new GatewayCeiling(
                p.gatewayRpm,
                0,
                concurrency,
                latency,
                perToken,
                maxBatch,
                p.gatewayClients,
                tokensPerText);
        long requests = c.requestsReceived();
        double textsPerRequest = requests == 0 ? 0 : (double) c.inputsEmbedded() / requests;
        double share = w.perSecond() / ceiling.textsPerSecond();
        out.printf(
            Locale.ROOT,
            "gateway: %d clients, one text each per call, provider RPM %d, %d in flight, max batch"
                + " %d%n  %.1f texts/s of a ceiling of %.1f (%s-bound): %.1f%% ; %.1f texts per"
                + " provider request (%d requests, %d 429s); call p50 %.1f ms, p99 %.1f ms, %d"
                + " failed%n",
            p.gatewayClients,
            p.gatewayRpm,
            concurrency,
            maxBatch,
            w.perSecond(),
            ceiling.textsPerSecond(),
            ceiling.binding(),
            100 * share,
            textsPerRequest,
            requests,
            c.responses(429),
            w.p50Ms(),
            w.p99Ms(),
            run.recording().failed());
        printFailure(run, out);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("window", w);
        r.put("ceilingTextsPerSecond", ceiling.textsPerSecond());
        r.put("binding", ceiling.binding());
        r.put("shareOfCeiling", share);
        r.put("textsPerRequest", textsPerRequest);
        r.put("providerRequests", requests);
        r.put("provider429s", c.responses(429));
        r.put("failed", run.recording().failed());
        return r;
      }
    }
  }
}
