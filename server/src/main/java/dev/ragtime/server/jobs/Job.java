package dev.ragtime.server.jobs;

import dev.ragtime.ingest.IngestProgress;
import dev.ragtime.ingest.IngestReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One ingestion job: documents to ingest into one collection, run in the background. Its live
 * counts come from the ingestor's {@link IngestProgress}; its end state from the {@link
 * IngestReport}. Thread-safe: the runner writes, any request thread reads.
 */
public final class Job {
  /** Where a job is in its life. */
  public enum State {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String id;
  private final String collection;
  private final String source;
  private final Instant created;
  private final long bytes;
  private final IngestProgress progress = new IngestProgress();
  private final CompletableFuture<Job> done = new CompletableFuture<>();
  private volatile State state = State.QUEUED;
  private volatile Instant started;
  private volatile Instant finished;
  private volatile IngestReport report;
  private volatile String error;

  Job(String id, String collection, String source, Instant created, long bytes, long total) {
    this.id = id;
    this.collection = collection;
    this.source = source;
    this.created = created;
    this.bytes = bytes;
    progress.total(total);
  }

  public String id() {
    return id;
  }

  public String collection() {
    return collection;
  }

  public State state() {
    return state;
  }

  /** Completes when the job has finished, successfully or not. */
  public CompletableFuture<Job> done() {
    return done;
  }

  /** The report of a finished job that ran to its end. */
  public Optional<IngestReport> report() {
    return Optional.ofNullable(report);
  }

  long bytes() {
    return bytes;
  }

  IngestProgress progress() {
    return progress;
  }

  void started(Instant at) {
    started = at;
    state = State.RUNNING;
  }

  void succeeded(IngestReport r, Instant at) {
    report = r;
    finished = at;
    state = State.SUCCEEDED;
    done.complete(this);
  }

  void failed(String reason, Instant at) {
    error = reason;
    finished = at;
    state = State.FAILED;
    done.complete(this);
  }

  /** The job as the API shows it ({@code Job} in the OpenAPI document). */
  public Map<String, Object> toJson() {
    var m = new LinkedHashMap<String, Object>();
    m.put("id", id);
    m.put("collection", collection);
    m.put("source", source);
    m.put("state", state.label());
    m.put("createdAt", created.toString());
    if (started != null) {
      m.put("startedAt", started.toString());
    }
    if (finished != null) {
      m.put("finishedAt", finished.toString());
    }
    IngestReport r = report;
    m.put("total", r != null ? r.documents() : progress.total());
    m.put("done", r != null ? r.documents() : progress.done());
    m.put("chunks", progress.chunks());
    m.put("embedded", progress.embedded());
    m.put("unchanged", progress.unchanged());
    m.put("failed", r != null ? r.failed() : progress.failed());
    m.put("failures", r == null ? List.of() : failures(r.failures()));
    if (r != null && !r.skipped().isEmpty()) {
      m.put("skipped", failures(r.skipped()));
    }
    if (error != null) {
      m.put("error", error);
    }
    return m;
  }

  private static List<Map<String, String>> failures(List<IngestReport.Failure> list) {
    return list.stream().map(f -> Map.of("path", f.path(), "reason", f.reason())).toList();
  }
}
