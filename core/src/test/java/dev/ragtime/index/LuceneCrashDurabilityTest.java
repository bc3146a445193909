package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing JVM with SIGKILL mid-way and checks that every batch it had acknowledged is in
 * the reopened index, whole. (A killed process keeps what reached the OS; this checks commit
 * atomicity and that acknowledgement follows the commit, not power-loss durability.)
 */
class LuceneCrashDurabilityTest {
  private static final String COLLECTION = "crash";
  private static final int KILL_AFTER = 12;
  private static final int MAX_BATCHES = 2_000;

  @TempDir Path dataDir;

  @Test
  void everyAcknowledgedBatchSurvivesAKilledWriterWhole() throws Exception {
    List<Integer> acknowledged = new ArrayList<>();
    Process child = startWriter();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        acknowledged.add(Integer.parseInt(line.substring("done ".length())));
        if (acknowledged.size() == KILL_AFTER) {
          // SIGKILL through the handle, which (unlike Process.destroyForcibly) leaves our end of
          // the pipe open: lines the child printed before dying are still read and checked.
          child.toHandle().destroyForcibly();
        }
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
    }

    assertThat(acknowledged)
        .as("child must be killed before it finishes; stderr: %s", stderr(child))
        .hasSizeGreaterThanOrEqualTo(KILL_AFTER)
        .hasSizeLessThan(MAX_BATCHES);
    FakeEmbeddingModel model = new FakeEmbeddingModel();
    try (Index index = LuceneCollections.at(dataDir).open(COLLECTION, model.info());
        IndexSnapshot snapshot = index.snapshot()) {
      for (int b : acknowledged) {
        for (int d = 0; d < CrashingWriter.DOCS_PER_BATCH; d++) {
          String id = CrashingWriter.docId(b, d);
          assertThat(index.contentHash(id)).contains(CrashingWriter.contentHash(b, d));
          assertThat(snapshot.lexical("durable chunk", Map.of("doc", id), 100))
              .as("chunks of %s", id)
              .hasSize(CrashingWriter.CHUNKS_PER_DOC);
        }
      }
      // A batch that was being written when the child died is either absent or whole.
      IndexStats stats = index.stats();
      assertThat(stats.chunks()).isEqualTo(stats.documents() * CrashingWriter.CHUNKS_PER_DOC);
      assertThat(stats.documents())
          .isGreaterThanOrEqualTo((long) acknowledged.size() * CrashingWriter.DOCS_PER_BATCH);
    }
  }

  @Test
  void aReadOnlyIndexFollowsTheCommitsOfAWriterInAnotherProcess() throws Exception {
    FakeEmbeddingModel model = new FakeEmbeddingModel();
    LuceneCollections collections = LuceneCollections.at(dataDir);
    Process child = startWriter();
    SearchableIndex reader = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int checks = 0;
      for (String line = out.readLine(); line != null && checks < 2; line = out.readLine()) {
        int batch = Integer.parseInt(line.substring("done ".length()));
        if (batch != 2 && batch != 8) {
          continue;
        }
        if (reader == null) {
          assertThatThrownBy(() -> collections.open(COLLECTION, model.info()))
              .as("the child holds the write lock")
              .isInstanceOf(IllegalStateException.class);
          reader = collections.openReadOnly(COLLECTION, model.info(), Duration.ZERO);
        }
        try (IndexSnapshot s = reader.snapshot()) {
          for (int b = 0; b <= batch; b++) {
            String id = CrashingWriter.docId(b, 0);
            assertThat(s.lexical("durable chunk", Map.of("doc", id), 100))
                .as("chunks of %s after batch %d was acknowledged", id, batch)
                .hasSize(CrashingWriter.CHUNKS_PER_DOC);
          }
        }
        checks++;
      }
      assertThat(checks).as("stderr: %s", stderr(child)).isEqualTo(2);
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
      if (reader != null) {
        reader.close();
      }
    }
  }

  private Process startWriter() throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            java.toString(),
            "--add-modules",
            "jdk.incubator.vector",
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            CrashingWriter.class.getName(),
            dataDir.toString(),
            COLLECTION,
            Integer.toString(MAX_BATCHES))
        .redirectError(dataDir.resolve("child-stderr.txt").toFile())
        .start();
  }

  private String stderr(Process child) {
    try {
      return Files.readString(dataDir.resolve("child-stderr.txt"));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
