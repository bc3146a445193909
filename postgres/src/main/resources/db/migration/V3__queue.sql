-- The durable ingestion queue (dev.ragtime.postgres.queue.PgQueue): jobs of documents that
-- workers claim in batches with FOR UPDATE SKIP LOCKED, under leases that expire, so a worker
-- that dies mid-batch loses nothing. Lease times use the database clock (now()), so workers on
-- machines whose clocks disagree still agree on when a lease ran out.

CREATE TABLE ingest_job (
  id          text        PRIMARY KEY,
  collection  text        NOT NULL,
  source      text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ingest_item (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id         text        NOT NULL REFERENCES ingest_job (id) ON DELETE CASCADE,
  collection     text        NOT NULL,
  doc_id         text        NOT NULL,
  -- The parser to use: txt, md, html or pdf (DocumentType.id()).
  doc_type       text        NOT NULL,
  content        bytea       NOT NULL,
  metadata       jsonb       NOT NULL DEFAULT '{}',
  -- SHA-256 of content, to verify what was queued.
  content_sha256 text        NOT NULL,
  state          text        NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'leased', 'done', 'dead')),
  -- Claims so far (a lease that expired counts as an attempt; a released lease does not).
  attempts       integer     NOT NULL DEFAULT 0,
  -- Every worker that claimed it, in order (a taken-over lease shows as two).
  holders        text[]      NOT NULL DEFAULT '{}',
  lease_holder   text,
  lease_expires  timestamptz,
  -- A retried item waits until then.
  not_before     timestamptz NOT NULL DEFAULT now(),
  -- Why the last attempt failed; for a dead item, why it was given up.
  last_error     text,
  enqueued_at    timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  CHECK ((state = 'leased') = (lease_holder IS NOT NULL AND lease_expires IS NOT NULL))
);

-- Claiming scans only live items, oldest first.
CREATE INDEX ingest_item_live ON ingest_item (id) WHERE state IN ('queued', 'leased');
-- A job's counts per state.
CREATE INDEX ingest_item_job ON ingest_item (job_id, state);
-- An older live item of the same document holds back a newer one (versions are applied in order).
CREATE INDEX ingest_item_document ON ingest_item (collection, doc_id) WHERE state IN ('queued', 'leased');
