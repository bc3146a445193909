package dev.ragtime.postgres.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.document.DocumentType;
import dev.ragtime.ingest.QueuedDocument;
import dev.ragtime.ingest.QueuedJob;
import dev.ragtime.postgres.PgDatabase;
import dev.ragtime.postgres.PgTestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue's state machine against a real PostgreSQL: claims, leases, retries, dead letters. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgQueueTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  private PgTestDatabase testDb;
  private PgDatabase db;

  @BeforeEach
  void open() {
    testDb = PgTestDatabase.create();
    db = PgDatabase.open(testDb.settings());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
    if (testDb != null) {
      testDb.close();
    }
  }

  private PgQueue queue(QueueConfig config) {
    return new PgQueue(db.dataSource(), config);
  }

  static QueuedDocument doc(String id, String text) {
    return new QueuedDocument(
        id, DocumentType.TXT, text.getBytes(StandardCharsets.UTF_8), Map.of("team", "blue"));
  }

  private static List<QueuedDocument> docs(int n) {
    var out = new ArrayList<QueuedDocument>();
    for (int i = 0; i < n; i++) {
      out.add(doc("d" + i, "text " + i));
    }
    return out;
  }

  @Test
  void claimsSplitTheQueueBetweenWorkersAndDoneFinishesTheJob() {
    PgQueue q = queue(QueueConfig.DEFAULT);
    QueuedJob job = q.enqueue("notes", "api", docs(5));
    assertThat(job.queued()).isEqualTo(5);
    assertThat(job.toJson()).containsEntry("state", "queued").containsEntry("total", 5L);

    List<ClaimedItem> a = q.claim("A", Optional.empty(), 3, LONG);
    List<ClaimedItem> b = q.claim("B", Optional.empty(), 3, LONG);
    assertThat(a).extracting(i -> i.document().id()).containsExactly("d0", "d1", "d2");
    assertThat(b).extracting(i -> i.document().id()).containsExactly("d3", "d4");
    assertThat(q.claim("C", Optional.empty(), 3, LONG)).as("everything is leased").isEmpty();
    ClaimedItem first = a.get(0);
    assertThat(first.document().metadata()).containsEntry("team", "blue");
    assertThat(new String(first.document().content(), StandardCharsets.UTF_8)).isEqualTo("text 0");
    assertThat(first.contentSha256()).isEqualTo(doc("d0", "text 0").contentSha256());
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.holders()).containsExactly("A");
    assertThat(q.job(job.id()).orElseThrow().toJson()).containsEntry("state", "running");

    assertThat(q.complete("B", a.stream().map(ClaimedItem::id).toList()))
        .as("B holds none of A's leases")
        .isZero();
    assertThat(q.complete("A", a.stream().map(ClaimedItem::id).toList())).isEqualTo(3);
    assertThat(q.complete("B", b.stream().map(ClaimedItem::id).toList())).isEqualTo(2);
    QueuedJob end = q.job(job.id()).orElseThrow();
    assertThat(end.finished()).isTrue();
    assertThat(end.done()).isEqualTo(5);
    assertThat(end.toJson()).containsEntry("state", "succeeded").containsEntry("failed", 0L);
  }

  @Test
  void concurrentClaimsNeverTakeTheSameDocument() throws Exception {
    PgQueue q = queue(QueueConfig.DEFAULT);
    q.enqueue("notes", "api", docs(200));
    var claims = new ArrayList<CompletableFuture<List<Long>>>();
    for (int w = 0; w < 4; w++) {
      String holder = "w" + w;
      claims.add(
          CompletableFuture.supplyAsync(
              () -> {
                var mine = new ArrayList<Long>();
                List<ClaimedItem> got;
                while (!(got = q.claim(holder, Optional.empty(), 7, LONG)).isEmpty()) {
                  got.forEach(i -> mine.add(i.id()));
                }
                return mine;
              }));
    }
    var all = new ArrayList<Long>();
    for (var c : claims) {
      all.addAll(c.get());
    }
    assertThat(all).hasSize(200).doesNotHaveDuplicates();
  }

  @Test
  void anExpiredLeaseIsTakenOverAndTheOldHolderCanNoLongerFinishIt() throws Exception {
    PgQueue q = queue(QueueConfig.DEFAULT);
    QueuedJob job = q.enqueue("notes", "api", docs(1));
    List<ClaimedItem> a = q.claim("A", Optional.empty(), 1, Duration.ofMillis(50));
    assertThat(a).hasSize(1);
    List<ClaimedItem> b;
    do {
      b = q.claim("B", Optional.empty(), 1, LONG); // empty until A's lease has run out
    } while (b.isEmpty());
    assertThat(b.get(0).id()).isEqualTo(a.get(0).id());
    assertThat(b.get(0).holders()).containsExactly("A", "B");
    assertThat(b.get(0).attempts()).isEqualTo(2);
    assertThat(q.extend("A", List.of(a.get(0).id()), LONG)).isZero();
    assertThat(q.complete("A", List.of(a.get(0).id()))).isZero();
    assertThat(q.fail("A", a.get(0).id(), "late")).isFalse();
    assertThat(q.extend("B", List.of(b.get(0).id()), LONG)).isEqualTo(1);
    assertThat(q.complete("B", List.of(b.get(0).id()))).isEqualTo(1);
    assertThat(q.job(job.id()).orElseThrow().done()).isEqualTo(1);
  }

  @Test
  void failuresAreRetriedThenDeadWithTheReason() {
    PgQueue q = queue(QueueConfig.DEFAULT.withMaxAttempts(2).withRetryDelay(Duration.ZERO));
    QueuedJob job = q.enqueue("notes", "api", docs(1));
    ClaimedItem first = q.claim("A", Optional.empty(), 1, LONG).get(0);
    assertThat(q.fail("A", first.id(), "provider unavailable")).isTrue();
    assertThat(q.job(job.id()).orElseThrow().queued()).as("queued again").isEqualTo(1);
    ClaimedItem second = q.claim("B", Optional.empty(), 1, LONG).get(0);
    assertThat(second.attempts()).isEqualTo(2);
    assertThat(q.fail("B", second.id(), "unreadable PDF")).isTrue();
    assertThat(q.claim("C", Optional.empty(), 1, LONG)).as("dead is never claimed").isEmpty();
    QueuedJob end = q.job(job.id()).orElseThrow();
    assertThat(end.dead()).isEqualTo(1);
    assertThat(end.finished()).isTrue();
    assertThat(end.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.docId()).isEqualTo("d0");
              assertThat(f.reason()).isEqualTo("gave up after 2 attempts: unreadable PDF");
            });
    assertThat(end.toJson()).containsEntry("state", "failed").containsEntry("failed", 1L);
  }

  @Test
  void aRetryWaitsForItsDelay() {
    PgQueue q = queue(QueueConfig.DEFAULT.withRetryDelay(Duration.ofHours(1)));
    q.enqueue("notes", "api", docs(1));
    ClaimedItem item = q.claim("A", Optional.empty(), 1, LONG).get(0);
    q.fail("A", item.id(), "timeout");
    assertThat(q.claim("A", Optional.empty(), 1, LONG)).isEmpty();
  }

  @Test
  void aLeaseExpiringOnTheLastAttemptIsGivenUp() {
    PgQueue q = queue(QueueConfig.DEFAULT.withMaxAttempts(1));
    QueuedJob job = q.enqueue("notes", "api", docs(1));
    assertThat(q.claim("A", Optional.empty(), 1, Duration.ofMillis(1))).hasSize(1);
    QueuedJob end;
    do {
      assertThat(q.claim("B", Optional.empty(), 1, LONG)).isEmpty();
      end = q.job(job.id()).orElseThrow();
    } while (!end.finished());
    assertThat(end.dead()).isEqualTo(1);
    assertThat(end.failures().get(0).reason())
        .contains("gave up after 1 attempts")
        .contains("lease of A expired");
  }

  @Test
  void releaseGivesLeasesBackWithoutCountingAnAttempt() {
    PgQueue q = queue(QueueConfig.DEFAULT.withMaxAttempts(1));
    q.enqueue("notes", "api", docs(3));
    assertThat(q.claim("A", Optional.empty(), 2, LONG)).hasSize(2);
    assertThat(q.release("A")).isEqualTo(2);
    List<ClaimedItem> b = q.claim("B", Optional.empty(), 3, LONG);
    assertThat(b).hasSize(3).allSatisfy(i -> assertThat(i.attempts()).isEqualTo(1));
  }

  @Test
  void aNewerVersionOfADocumentWaitsForTheOlderAndCollectionsFilter() {
    PgQueue q = queue(QueueConfig.DEFAULT);
    q.enqueue("notes", "api", List.of(doc("same", "old")));
    q.enqueue("notes", "api", List.of(doc("same", "new"), doc("other", "x")));
    q.enqueue("mail", "api", List.of(doc("m", "y")));
    List<ClaimedItem> a = q.claim("A", Optional.of("notes"), 10, LONG);
    assertThat(a)
        .extracting(i -> i.document().id() + "=" + new String(i.document().content()))
        .containsExactly("same=old", "other=x");
    assertThat(q.claim("B", Optional.of("notes"), 10, LONG)).as("'same' waits").isEmpty();
    q.complete("A", a.stream().map(ClaimedItem::id).toList());
    assertThat(q.claim("B", Optional.of("notes"), 10, LONG))
        .extracting(i -> new String(i.document().content()))
        .containsExactly("new");
    assertThat(q.claim("B", Optional.empty(), 10, LONG))
        .extracting(i -> i.collection())
        .containsExactly("mail");
  }

  @Test
  void aJobNeedsDocumentsWithDistinctIdsAndUnknownJobsAreEmpty() {
    PgQueue q = queue(QueueConfig.DEFAULT);
    assertThatThrownBy(() -> q.enqueue("notes", "api", List.of()))
        .hasMessageContaining("at least one");
    assertThatThrownBy(() -> q.enqueue("notes", "api", List.of(doc("a", "1"), doc("a", "2"))))
        .hasMessageContaining("'a' appears twice");
    assertThat(q.job("q-nope")).isEmpty();
  }
}
