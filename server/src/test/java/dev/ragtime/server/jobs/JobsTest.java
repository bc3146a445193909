package dev.ragtime.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.Block;
import dev.ragtime.document.ContentHash;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.ingest.IngestConfig;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.ingest.SourceDocument;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.Searcher;
import dev.ragtime.server.collections.OpenCollections;
import dev.ragtime.server.http.ApiException;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingestion queue's bounds and history, with jobs held until the test runs them. */
class JobsTest {
  @TempDir Path tmp;
  final FakeEmbeddingModel model = new FakeEmbeddingModel();
  final List<Runnable> held = new ArrayList<>();
  final Executor holding = held::add;
  OpenCollections collections;

  @BeforeEach
  void open() {
    var threads = Executors.newVirtualThreadPerTaskExecutor();
    Chunker chunker = Chunker.create(ChunkerConfig.defaults(), TokenCounter.approximate());
    collections =
        new OpenCollections(
            LuceneCollections.at(tmp),
            model::info,
            index -> Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, threads),
            index -> Searcher.create(index, model, SearchConfig.DEFAULT));
    collections.create("c");
  }

  @AfterEach
  void close() {
    collections.close();
  }

  private void runHeld() {
    var now = List.copyOf(held);
    held.clear();
    now.forEach(Runnable::run);
  }

  private static SourceDocument doc(String id, String text) {
    return new SourceDocument() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String path() {
        return "test:" + id;
      }

      @Override
      public String contentHash(String fingerprint) {
        return ContentHash.fingerprint(text, fingerprint);
      }

      @Override
      public ParsedDocument parse() {
        return new ParsedDocument(id, List.of(Block.paragraph(text)), Map.of());
      }
    };
  }

  @Test
  void queuedBytesAreBoundedAndReleasedWhenAJobFinishes() {
    var jobs = new Jobs(collections, holding, new Jobs.JobLimits(10, 100, 10), Clock.systemUTC());
    jobs.submit("c", List.of(doc("a", "alpha")), 80);
    assertThatThrownBy(() -> jobs.submit("c", List.of(doc("b", "beta")), 30))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.retryAfterSeconds()).isPresent();
            });
    assertThatThrownBy(() -> jobs.submit("c", List.of(doc("big", "x")), 101))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413));
    runHeld();
    assertThat(jobs.activeCount()).isZero();
    Job b = jobs.submit("c", List.of(doc("b", "beta")), 30);
    runHeld();
    assertThat(b.state()).isEqualTo(Job.State.SUCCEEDED);
    assertThat(b.toJson()).containsEntry("done", 1L).containsEntry("chunks", 1L);
  }

  @Test
  void historyKeepsTheMostRecentJobs() {
    var jobs = new Jobs(collections, holding, new Jobs.JobLimits(10, 1000, 2), Clock.systemUTC());
    Job first = jobs.submit("c", List.of(doc("a", "alpha")), 1);
    Job second = jobs.submit("c", List.of(doc("b", "beta")), 1);
    Job third = jobs.submit("c", List.of(doc("g", "gamma")), 1);
    runHeld();
    assertThat(jobs.recent()).containsExactly(third, second);
    assertThat(jobs.get(first.id())).isEmpty();
  }

  @Test
  void drainStopsAcceptingAndWaitsForAcceptedJobs() throws Exception {
    var jobs =
        new Jobs(
            collections,
            Executors.newVirtualThreadPerTaskExecutor(),
            Jobs.JobLimits.DEFAULT,
            Clock.systemUTC());
    Job accepted = jobs.submit("c", List.of(doc("a", "alpha")), 1);
    assertThat(jobs.drain(java.time.Duration.ofMinutes(5))).isTrue();
    assertThat(accepted.state()).isEqualTo(Job.State.SUCCEEDED);
    assertThatThrownBy(() -> jobs.submit("c", List.of(doc("b", "beta")), 1))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
  }
}
