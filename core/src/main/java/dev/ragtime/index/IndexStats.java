package dev.ragtime.index;

/** Size of one collection. */
public record IndexStats(long documents, long chunks) {}
