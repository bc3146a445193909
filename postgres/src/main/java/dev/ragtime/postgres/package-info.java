/**
 * The scale-out store on PostgreSQL with pgvector: the index, the embedding cache shared by every
 * node and the durable ingestion queue, all in one database that {@link
 * dev.ragtime.postgres.PgDatabase} connects to and migrates (Flyway, schema {@code ragtime}).
 * Nothing but the database holds state, so any number of nodes and workers can run side by side.
 */
package dev.ragtime.postgres;
