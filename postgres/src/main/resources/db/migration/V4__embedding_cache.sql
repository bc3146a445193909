-- The embedding cache shared by every node and worker (dev.ragtime.postgres.cache.PgVectorCache):
-- a content address -> the vector of that text under that model. The key is core's TextKey: the hex
-- SHA-256 of the model's namespace, NUL and the text exactly as sent, so keys of different models
-- never collide and one table holds every model's vectors.
CREATE TABLE embedding_cache (
    key        text        PRIMARY KEY,
    -- the model identity the key was derived from (id, variant, input limit, output size): lets an
    -- operator drop one model's vectors with DELETE ... WHERE namespace = ...
    namespace  text        NOT NULL,
    vector     real[]      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
