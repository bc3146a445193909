package dev.ragtime.postgres.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.document.DocumentType;
import dev.ragtime.ingest.IngestQueue;
import dev.ragtime.ingest.QueuedDocument;
import dev.ragtime.ingest.QueuedJob;
import dev.ragtime.postgres.StoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The durable ingestion queue in PostgreSQL (tables {@code ingest_job} and {@code ingest_item},
 * migration {@code V3__queue.sql}).
 *
 * <p>Design. Each document is one row that moves {@code queued → leased → done}, or to {@code dead}
 * with the reason once {@link QueueConfig#maxAttempts} claims have failed. A worker claims a batch
 * with {@code FOR UPDATE SKIP LOCKED}, so concurrent workers never wait for each other nor take the
 * same row, and holds each claimed row under a lease ({@code lease_holder}, {@code lease_expires})
 * that it extends while it works. A lease that runs out (the worker was killed, or lost the
 * database) makes the row claimable again; every state change a worker makes checks that it still
 * holds the lease. All lease times are the database's clock. A newer item of a document waits while
 * an older one of the same document is live, so versions are applied in order.
 *
 * <p>The queue itself does not make processing exactly-once; the worker does, by writing each
 * document atomically and idempotently (by content hash): a document claimed again after an expired
 * lease is found unchanged rather than written twice.
 *
 * <p>Thread-safe; each call uses its own pooled connection and transaction.
 */
public final class PgQueue implements IngestQueue {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  /** Most dead documents a job lists with their reasons. */
  static final int MAX_LISTED_FAILURES = 100;

  private final DataSource db;
  private final QueueConfig config;

  public PgQueue(DataSource db, QueueConfig config) {
    this.db = Objects.requireNonNull(db, "db");
    this.config = Objects.requireNonNull(config, "config");
  }

  public QueueConfig config() {
    return config;
  }

  @Override
  public QueuedJob enqueue(String collection, String source, List<QueuedDocument> documents) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(source, "source");
    if (documents.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one document");
    }
    var ids = new HashSet<String>();
    for (QueuedDocument d : documents) {
      if (!ids.add(d.id())) {
        throw new IllegalArgumentException("document id '" + d.id() + "' appears twice in one job");
      }
    }
    String jobId = "q-" + UUID.randomUUID();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (var job =
            c.prepareStatement(
                "INSERT INTO ingest_job (id, collection, source) VALUES (?, ?, ?)")) {
          job.setString(1, jobId);
          job.setString(2, collection);
          job.setString(3, source);
          job.executeUpdate();
        }
        try (var item =
            c.prepareStatement(
                "INSERT INTO ingest_item (job_id, collection, doc_id, doc_type, content, metadata,"
                    + " content_sha256) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)")) {
          for (QueuedDocument d : documents) {
            item.setString(1, jobId);
            item.setString(2, collection);
            item.setString(3, d.id());
            item.setString(4, d.type().id());
            item.setBytes(5, d.content());
            item.setString(6, JSON.writeValueAsString(d.metadata()));
            item.setString(7, d.contentSha256());
            item.addBatch();
          }
          item.executeBatch();
        }
        c.commit();
      } catch (SQLException | JsonProcessingException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | JsonProcessingException e) {
      throw failed("enqueue " + documents.size() + " documents for '" + collection + "'", e);
    }
    return job(jobId).orElseThrow(() -> new StoreException("job " + jobId + " vanished"));
  }

  @Override
  public Optional<QueuedJob> job(String id) {
    try (Connection c = db.getConnection()) {
      QueuedJob job;
      try (var s =
          c.prepareStatement(
              "SELECT j.collection, j.source, j.created_at,"
                  + " count(i.id) FILTER (WHERE i.state = 'queued'),"
                  + " count(i.id) FILTER (WHERE i.state = 'leased'),"
                  + " count(i.id) FILTER (WHERE i.state = 'done'),"
                  + " count(i.id) FILTER (WHERE i.state = 'dead')"
                  + " FROM ingest_job j LEFT JOIN ingest_item i ON i.job_id = j.id"
                  + " WHERE j.id = ? GROUP BY j.id")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return Optional.empty();
          }
          long dead = r.getLong(7);
          job =
              new QueuedJob(
                  id,
                  r.getString(1),
                  r.getString(2),
                  r.getTimestamp(3).toInstant(),
                  r.getLong(4),
                  r.getLong(5),
                  r.getLong(6),
                  dead,
                  dead == 0 ? List.of() : failures(c, id));
        }
      }
      return Optional.of(job);
    } catch (SQLException e) {
      throw failed("read job " + id, e);
    }
  }

  private static List<QueuedJob.Failure> failures(Connection c, String jobId) throws SQLException {
    try (var s =
        c.prepareStatement(
            "SELECT doc_id, last_error FROM ingest_item WHERE job_id = ? AND state = 'dead'"
                + " ORDER BY id LIMIT "
                + MAX_LISTED_FAILURES)) {
      s.setString(1, jobId);
      var out = new ArrayList<QueuedJob.Failure>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new QueuedJob.Failure(r.getString(1), String.valueOf(r.getString(2))));
        }
      }
      return out;
    }
  }

  /**
   * Claims up to {@code limit} documents for {@code holder}: queued ones whose retry time has come
   * and leased ones whose lease ran out, oldest first, skipping rows another worker is claiming
   * right now. Expired leases of documents that have used up their attempts are given up first
   * (dead, with the reason).
   *
   * @param collection only this collection's documents, or any when empty
   * @param lease how long the claim holds unless {@link #extend extended}
   * @return the claimed documents, empty when there is nothing to do
   */
  public List<ClaimedItem> claim(
      String holder, Optional<String> collection, int limit, Duration lease) {
    Objects.requireNonNull(holder, "holder");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (var s =
            c.prepareStatement(
                "WITH expired AS (SELECT id FROM ingest_item WHERE state = 'leased'"
                    + " AND lease_expires < now() AND attempts >= ? FOR UPDATE SKIP LOCKED)"
                    + " UPDATE ingest_item i SET state = 'dead', lease_holder = NULL,"
                    + " lease_expires = NULL, finished_at = now(), last_error = 'gave up after '"
                    + " || i.attempts || ' attempts; the last one ended when the lease of '"
                    + " || i.lease_holder || ' expired (the worker stopped or hung)'"
                    + " FROM expired WHERE i.id = expired.id")) {
          s.setInt(1, config.maxAttempts());
          s.executeUpdate();
        }
        var out = new ArrayList<ClaimedItem>();
        try (var s =
            c.prepareStatement(
                "WITH c AS (SELECT i.id FROM ingest_item i"
                    + " WHERE i.state IN ('queued', 'leased')"
                    + " AND ((i.state = 'queued' AND i.not_before <= now())"
                    + " OR (i.state = 'leased' AND i.lease_expires < now()))"
                    + " AND (?::text IS NULL OR i.collection = ?)"
                    + " AND NOT EXISTS (SELECT 1 FROM ingest_item o WHERE o.collection ="
                    + " i.collection AND o.doc_id = i.doc_id AND o.id < i.id"
                    + " AND o.state IN ('queued', 'leased'))"
                    + " ORDER BY i.id LIMIT ? FOR UPDATE SKIP LOCKED)"
                    + " UPDATE ingest_item i SET state = 'leased', lease_holder = ?,"
                    + " lease_expires = now() + ? * interval '1 millisecond',"
                    + " attempts = i.attempts + 1, holders = i.holders || ?::text"
                    + " FROM c WHERE i.id = c.id"
                    + " RETURNING i.id, i.job_id, i.collection, i.doc_id, i.doc_type, i.content,"
                    + " i.metadata::text, i.content_sha256, i.attempts, i.holders")) {
          s.setString(1, collection.orElse(null));
          s.setString(2, collection.orElse(null));
          s.setInt(3, limit);
          s.setString(4, holder);
          s.setLong(5, Math.max(1, lease.toMillis()));
          s.setString(6, holder);
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
              out.add(item(r));
            }
          }
        }
        c.commit();
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failed("claim documents", e);
    }
  }

  private static ClaimedItem item(ResultSet r) throws SQLException {
    String type = r.getString(5);
    DocumentType docType =
        java.util.Arrays.stream(DocumentType.values())
            .filter(t -> t.id().equals(type))
            .findFirst()
            .orElseThrow(() -> new StoreException("unknown document type '" + type + "' queued"));
    Map<String, String> metadata;
    try {
      metadata = JSON.readValue(r.getString(7), STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new StoreException("queued metadata is not a JSON object of strings", e);
    }
    Array holders = r.getArray(10);
    List<String> holderList = List.of((String[]) holders.getArray());
    return new ClaimedItem(
        r.getLong(1),
        r.getString(2),
        r.getString(3),
        new QueuedDocument(r.getString(4), docType, r.getBytes(6), metadata),
        r.getString(8),
        r.getInt(9),
        holderList);
  }

  /**
   * Extends the leases {@code holder} still holds among {@code ids} to {@code lease} from now.
   *
   * @return how many of them it still held (fewer means a lease ran out and another worker may have
   *     taken the document)
   */
  public int extend(String holder, List<Long> ids, Duration lease) {
    if (ids.isEmpty()) {
      return 0;
    }
    return update(
        "extend leases",
        "UPDATE ingest_item SET lease_expires = now() + ? * interval '1 millisecond'"
            + " WHERE id = ANY (?) AND state = 'leased' AND lease_holder = ?",
        (c, s) -> {
          s.setLong(1, Math.max(1, lease.toMillis()));
          s.setArray(2, c.createArrayOf("bigint", ids.toArray()));
          s.setString(3, holder);
        });
  }

  /**
   * Marks documents done (their content is dropped; its hash stays), where {@code holder} still
   * holds the lease.
   *
   * @return how many it marked
   */
  public int complete(String holder, List<Long> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    return update(
        "mark documents done",
        "UPDATE ingest_item SET state = 'done', lease_holder = NULL, lease_expires = NULL,"
            + " finished_at = now(), last_error = NULL, content = ''::bytea"
            + " WHERE id = ANY (?) AND state = 'leased' AND lease_holder = ?",
        (c, s) -> {
          s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
          s.setString(2, holder);
        });
  }

  /**
   * Records a failed attempt: the document is queued again after a growing delay, or given up
   * (dead, with {@code reason}) when it has used {@link QueueConfig#maxAttempts} attempts.
   *
   * @return whether {@code holder} still held the lease (otherwise nothing changed)
   */
  public boolean fail(String holder, long id, String reason) {
    return update(
            "record a failed attempt",
            "UPDATE ingest_item SET"
                + " state = CASE WHEN attempts >= ? THEN 'dead' ELSE 'queued' END,"
                + " finished_at = CASE WHEN attempts >= ? THEN now() END,"
                + " last_error = CASE WHEN attempts >= ? THEN 'gave up after ' || attempts"
                + " || ' attempts: ' ELSE '' END || ?,"
                + " not_before = now() + LEAST(?, ? * power(2, attempts - 1))"
                + " * interval '1 millisecond',"
                + " lease_holder = NULL, lease_expires = NULL"
                + " WHERE id = ? AND state = 'leased' AND lease_holder = ?",
            (c, s) -> {
              s.setInt(1, config.maxAttempts());
              s.setInt(2, config.maxAttempts());
              s.setInt(3, config.maxAttempts());
              s.setString(4, reason);
              s.setLong(5, config.maxRetryDelay().toMillis());
              s.setLong(6, config.retryDelay().toMillis());
              s.setLong(7, id);
              s.setString(8, holder);
            })
        == 1;
  }

  /**
   * Gives back every lease {@code holder} holds, without counting an attempt: for a worker that
   * stops before finishing its batch. Another worker claims the documents at once.
   *
   * @return how many leases it gave back
   */
  public int release(String holder) {
    return update(
        "release leases",
        "UPDATE ingest_item SET state = 'queued', attempts = attempts - 1, lease_holder = NULL,"
            + " lease_expires = NULL, not_before = now()"
            + " WHERE state = 'leased' AND lease_holder = ?",
        (c, s) -> s.setString(1, holder));
  }

  @FunctionalInterface
  private interface Binder {
    void bind(Connection c, PreparedStatement s) throws SQLException;
  }

  private int update(String what, String sql, Binder binder) {
    try (Connection c = db.getConnection();
        var s = c.prepareStatement(sql)) {
      binder.bind(c, s);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw failed(what, e);
    }
  }

  private static StoreException failed(String what, Exception e) {
    return new StoreException("the ingestion queue could not " + what + ": " + e.getMessage(), e);
  }
}
