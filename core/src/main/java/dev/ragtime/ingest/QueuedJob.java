package dev.ragtime.ingest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A job of the durable ingestion queue and its progress, counted per state of its documents.
 *
 * @param id the job id
 * @param collection the collection its documents go to
 * @param source who enqueued it (e.g. {@code api})
 * @param created when it was enqueued
 * @param queued documents waiting for a worker (including those waiting to be retried)
 * @param leased documents a worker is ingesting now
 * @param done documents ingested (written, or found unchanged)
 * @param dead documents given up on after their last attempt, each in {@code failures}
 * @param failures why each dead document failed (at most the first 100)
 */
public record QueuedJob(
    String id,
    String collection,
    String source,
    Instant created,
    long queued,
    long leased,
    long done,
    long dead,
    List<Failure> failures) {

  public QueuedJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(created, "created");
    failures = List.copyOf(failures);
  }

  /** A document given up on, and why. */
  public record Failure(String docId, String reason) {}

  /** Documents in the job. */
  public long total() {
    return queued + leased + done + dead;
  }

  /** Whether every document is done or dead. */
  public boolean finished() {
    return queued == 0 && leased == 0;
  }

  /**
   * The job as the service shows it: the fields of a service job ({@code id, collection, source,
   * state, createdAt, total, done, failed, failures}) plus the queue's own counts ({@code queued,
   * leased, dead}). {@code state} is {@code queued} until a worker takes a document, then {@code
   * running}, then {@code succeeded} (or {@code failed} when any document is dead).
   */
  public Map<String, Object> toJson() {
    var m = new LinkedHashMap<String, Object>();
    m.put("id", id);
    m.put("collection", collection);
    m.put("source", source);
    m.put("state", state());
    m.put("createdAt", created.toString());
    m.put("total", total());
    m.put("done", done + dead);
    m.put("failed", dead);
    m.put("queued", queued);
    m.put("leased", leased);
    m.put("dead", dead);
    m.put(
        "failures",
        failures.stream().map(f -> Map.of("path", f.docId(), "reason", f.reason())).toList());
    return m;
  }

  private String state() {
    if (finished()) {
      return dead > 0 ? "failed" : "succeeded";
    }
    return leased > 0 || done > 0 || dead > 0 ? "running" : "queued";
  }
}
