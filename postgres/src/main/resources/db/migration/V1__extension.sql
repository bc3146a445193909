-- pgvector provides the vector type and the HNSW index (0.8 or newer: iterative index scans).
-- Creating an extension needs a role allowed to (superuser or, since PostgreSQL 13, the database
-- owner for trusted extensions; vector is not trusted): on a managed database, create it once as
-- an administrator and this statement does nothing.
CREATE EXTENSION IF NOT EXISTS vector;
