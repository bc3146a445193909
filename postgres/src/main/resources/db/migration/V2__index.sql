-- The index (PgCollections, PgIndex): a catalog of collections, their documents, and their chunks
-- with text, metadata, a generated tsvector and the embedding. Design notes in docs/ARCHITECTURE.md
-- ("The PostgreSQL store").

-- One row per collection: the embedding model that built it (vectors of different models must
-- never share an index) and running counts that BM25 needs (chunks, total_length) and that stats
-- report. The counts are updated in the transaction that writes or deletes, so a snapshot sees
-- counts that agree with the rows it sees.
CREATE TABLE collections (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text        NOT NULL UNIQUE,
  model_id     text        NOT NULL,
  dimension    integer     NOT NULL CHECK (dimension BETWEEN 1 AND 2000),
  max_tokens   integer     NOT NULL CHECK (max_tokens > 0),
  variant      text        NOT NULL DEFAULT '',
  created      timestamptz NOT NULL DEFAULT now(),
  documents    bigint      NOT NULL DEFAULT 0,
  chunks       bigint      NOT NULL DEFAULT 0,
  total_length bigint      NOT NULL DEFAULT 0
);

-- The row of a document is also its lock: a write upserts it first, so two nodes writing the same
-- document take turns and never leave the chunks of both versions.
CREATE TABLE documents (
  collection_id bigint NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  doc_id        text   NOT NULL,
  content_hash  text   NOT NULL,
  PRIMARY KEY (collection_id, doc_id)
);

-- The number of word positions in a tsvector: the document length of BM25 (stop words are not
-- counted, as in Lucene's EnglishAnalyzer).
CREATE FUNCTION tsvector_terms(tsvector) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT coalesce(sum(cardinality(positions)), 0)::integer FROM unnest($1) $$;

-- A tsquery that matches exactly one lexeme, however odd its characters (quotes, backslashes).
CREATE FUNCTION lexeme_query(text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ('''' || replace(replace($1, '\', '\\'), '''', '''''') || '''')::tsquery $$;

-- The 'english' configuration (Snowball stemmer, English stop words) because that is what Lucene's
-- EnglishAnalyzer does for the embedded store: the same queries match the same inflected forms.
-- The context (title, headings) is matched as if it were part of the text but never returned.
-- The embedding column has no fixed dimension, since collections differ in dimension; each
-- collection gets its own HNSW index over a cast to its dimension (see PgCollections).
CREATE TABLE chunks (
  id            bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  collection_id bigint  NOT NULL,
  doc_id        text    NOT NULL,
  chunk_id      text    NOT NULL,
  ordinal       integer NOT NULL,
  text          text    NOT NULL,
  context       text    NOT NULL DEFAULT '',
  metadata      jsonb   NOT NULL DEFAULT '{}'::jsonb,
  embedding     vector  NOT NULL,
  tsv           tsvector GENERATED ALWAYS AS (to_tsvector('english', context || ' ' || text)) STORED,
  length        integer GENERATED ALWAYS AS
                  (tsvector_terms(to_tsvector('english', context || ' ' || text))) STORED,
  FOREIGN KEY (collection_id, doc_id) REFERENCES documents (collection_id, doc_id) ON DELETE CASCADE
);

CREATE INDEX chunks_document ON chunks (collection_id, doc_id, ordinal);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
CREATE INDEX chunks_metadata ON chunks USING gin (metadata jsonb_path_ops);
