package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.document.DocumentType;
import dev.ragtime.ingest.IngestQueue;
import dev.ragtime.ingest.QueuedDocument;
import dev.ragtime.ingest.QueuedJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a durable ingestion queue, {@code POST …/documents} stores the documents there as a job
 * (202, the job's id) instead of ingesting them; {@code GET /v1/jobs/{id}} reports the queue's
 * counts, and {@code ?wait=true} answers once the job is finished.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class QueuedPostTest {
  @TempDir Path tmp;

  /** A queue in memory; a test finishes a job by hand, as a worker would. */
  static final class MemoryQueue implements IngestQueue {
    final Map<String, List<QueuedDocument>> documents = new ConcurrentHashMap<>();
    final Map<String, QueuedJob> jobs = new ConcurrentHashMap<>();
    final CountDownLatch enqueued = new CountDownLatch(1);

    @Override
    public QueuedJob enqueue(String collection, String source, List<QueuedDocument> docs) {
      String id = "q-" + (jobs.size() + 1);
      var job =
          new QueuedJob(id, collection, source, Instant.now(), docs.size(), 0, 0, 0, List.of());
      documents.put(id, List.copyOf(docs));
      jobs.put(id, job);
      enqueued.countDown();
      return job;
    }

    @Override
    public Optional<QueuedJob> job(String id) {
      return Optional.ofNullable(jobs.get(id));
    }

    void finish(String id) {
      QueuedJob j = jobs.get(id);
      jobs.put(
          id,
          new QueuedJob(
              id,
              j.collection(),
              j.source(),
              j.created(),
              0,
              0,
              j.queued() - 1,
              1,
              List.of(new QueuedJob.Failure("b", "gave up after 5 attempts: no text found"))));
    }
  }

  @Test
  void postedDocumentsAreQueuedNotIngested() {
    var queue = new MemoryQueue();
    try (var server = new TestServer(tmp.resolve("data"), queue)) {
      server.put("/v1/collections/{name}", "/v1/collections/notes");
      var r =
          server.postJson(
              "/v1/collections/{name}/documents",
              "/v1/collections/notes/documents",
              "{\"documents\":[{\"id\":\"a\",\"text\":\"Bees.\",\"metadata\":{\"team\":\"x\"}},"
                  + "{\"id\":\"b\",\"contentBase64\":\"PGgxPkhpPC9oMT4=\","
                  + "\"mediaType\":\"text/html\"}]}");
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      String id = r.json().get("id").asText();
      assertThat(r.header("Location")).isEqualTo("/v1/jobs/" + id);
      assertThat(r.json().get("state").asText()).isEqualTo("queued");
      assertThat(r.json().get("queued").asLong()).isEqualTo(2);

      List<QueuedDocument> queued = queue.documents.get(id);
      assertThat(queued).extracting(QueuedDocument::id).containsExactly("a", "b");
      assertThat(queued.get(0).type()).isEqualTo(DocumentType.TXT);
      assertThat(queued.get(0).metadata()).containsEntry("team", "x");
      assertThat(queued.get(1).type()).isEqualTo(DocumentType.HTML);
      assertThat(new String(queued.get(1).content(), StandardCharsets.UTF_8))
          .isEqualTo("<h1>Hi</h1>");

      var job = server.get("/v1/jobs/{id}", "/v1/jobs/" + id);
      assertThat(job.status()).isEqualTo(200);
      assertThat(job.json().get("queued").asLong()).isEqualTo(2);
      queue.finish(id);
      job = server.get("/v1/jobs/{id}", "/v1/jobs/" + id);
      assertThat(job.json().get("state").asText()).isEqualTo("failed");
      assertThat(job.json().get("done").asLong()).isEqualTo(2);
      assertThat(job.json().get("failures").get(0).get("path").asText()).isEqualTo("b");
      assertThat(server.get("/v1/jobs/{id}", "/v1/jobs/q-none").status()).isEqualTo(404);

      var stats = server.get("/v1/collections/{name}", "/v1/collections/notes");
      assertThat(stats.json().toString())
          .as("nothing ingested in-process")
          .contains("\"documents\":0");
    }
  }

  @Test
  void waitAnswersWhenTheQueuedJobIsFinished() throws Exception {
    var queue = new MemoryQueue();
    try (var server = new TestServer(tmp.resolve("data"), queue)) {
      server.put("/v1/collections/{name}", "/v1/collections/notes");
      var worker =
          Thread.ofVirtual()
              .start(
                  () -> {
                    // Plays the worker: finishes the job once it is queued.
                    try {
                      queue.enqueued.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    queue.finish(queue.jobs.keySet().iterator().next());
                  });
      var r =
          server.postJson(
              "/v1/collections/{name}/documents",
              "/v1/collections/notes/documents?wait=true",
              "{\"id\":\"a\",\"text\":\"Bees.\"}");
      worker.join();
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("queued").asLong()).isZero();
      assertThat(r.json().get("total").asLong()).isEqualTo(1);
    }
  }
}
