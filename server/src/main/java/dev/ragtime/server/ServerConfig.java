package dev.ragtime.server;

import dev.ragtime.server.auth.ApiKeys;
import dev.ragtime.server.jobs.Jobs.JobLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * How the service listens and what it accepts. Immutable; validated on construction (messages name
 * the bad value).
 *
 * @param host the address to bind; {@value #DEFAULT_HOST} unless told otherwise, so a fresh install
 *     is not reachable from the network
 * @param port the TCP port, 0 for any free one
 * @param maxBodyBytes largest request body accepted (413 above it)
 * @param jobs limits of the ingestion queue (429 past them)
 * @param drainTimeout how long shutdown waits for in-flight requests and accepted jobs
 * @param keys the API keys requests must carry; {@link ApiKeys#none()} for open access
 */
public record ServerConfig(
    String host, int port, long maxBodyBytes, JobLimits jobs, Duration drainTimeout, ApiKeys keys) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(keys, "keys");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
    }
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "maxBodyBytes must be in [1, " + (Integer.MAX_VALUE - 8) + "], was " + maxBodyBytes);
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must be >= 0, was " + drainTimeout);
    }
  }

  /**
   * Port {@value #DEFAULT_PORT} on {@value #DEFAULT_HOST} with the default limits and no API keys.
   */
  public static ServerConfig defaults() {
    return new ServerConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        DEFAULT_MAX_BODY_BYTES,
        JobLimits.DEFAULT,
        DEFAULT_DRAIN_TIMEOUT,
        ApiKeys.none());
  }

  public ServerConfig withAddress(String newHost, int newPort) {
    return new ServerConfig(newHost, newPort, maxBodyBytes, jobs, drainTimeout, keys);
  }

  public ServerConfig withMaxBodyBytes(long bytes) {
    return new ServerConfig(host, port, bytes, jobs, drainTimeout, keys);
  }

  public ServerConfig withJobs(JobLimits limits) {
    return new ServerConfig(host, port, maxBodyBytes, limits, drainTimeout, keys);
  }

  public ServerConfig withKeys(ApiKeys newKeys) {
    return new ServerConfig(host, port, maxBodyBytes, jobs, drainTimeout, newKeys);
  }
}
