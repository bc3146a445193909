package dev.ragtime.index;

/**
 * Settings of the on-disk Lucene index. They affect how new segments are written, not how existing
 * ones are read, so an index may be reopened with different values.
 *
 * @param hnswM maximum number of graph neighbours per vector (HNSW "M"), in [2, 512]; larger gives
 *     better recall at the cost of memory and indexing time
 * @param hnswBeamWidth candidate list size while building the graph ("efConstruction"), in [1,
 *     3200]; larger gives a better graph at the cost of indexing time
 * @param ramBufferMb memory the writer buffers before flushing a segment, in MiB, in [1, 2048]
 */
public record IndexConfig(int hnswM, int hnswBeamWidth, double ramBufferMb) {
  /** Lucene's own default: a good recall/size balance for 384-dimensional sentence embeddings. */
  public static final int DEFAULT_HNSW_M = 16;

  /** Lucene's own default. */
  public static final int DEFAULT_HNSW_BEAM_WIDTH = 100;

  /** Larger than Lucene's 16 MiB so bulk ingestion writes fewer, larger segments. */
  public static final double DEFAULT_RAM_BUFFER_MB = 64;

  public static final IndexConfig DEFAULT =
      new IndexConfig(DEFAULT_HNSW_M, DEFAULT_HNSW_BEAM_WIDTH, DEFAULT_RAM_BUFFER_MB);

  public IndexConfig {
    if (hnswM < 2 || hnswM > 512) {
      throw new IllegalArgumentException("hnswM must be in [2, 512], was " + hnswM);
    }
    if (hnswBeamWidth < 1 || hnswBeamWidth > 3200) {
      throw new IllegalArgumentException(
          "hnswBeamWidth must be in [1, 3200], was " + hnswBeamWidth);
    }
    if (!(ramBufferMb >= 1 && ramBufferMb <= 2048)) {
      throw new IllegalArgumentException("ramBufferMb must be in [1, 2048], was " + ramBufferMb);
    }
  }

  /** This configuration with another HNSW M. */
  public IndexConfig withHnswM(int m) {
    return new IndexConfig(m, hnswBeamWidth, ramBufferMb);
  }

  /** This configuration with another HNSW beam width. */
  public IndexConfig withHnswBeamWidth(int beamWidth) {
    return new IndexConfig(hnswM, beamWidth, ramBufferMb);
  }

  /** This configuration with another writer RAM buffer. */
  public IndexConfig withRamBufferMb(double mb) {
    return new IndexConfig(hnswM, hnswBeamWidth, mb);
  }
}
