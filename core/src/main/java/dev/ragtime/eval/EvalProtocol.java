package dev.ragtime.eval;

import java.util.Locale;

/** How an evaluation turns the corpus into index entries and documents back into a ranking. */
public enum EvalProtocol {
  /**
   * The BEIR/MTEB protocol, so that numbers compare with published ones: each document is one index
   * entry whose text (for BM25) is {@code title + " " + text} and whose vector embeds that same
   * text whole, truncated by the model at its maximum sequence length.
   */
  BEIR,

  /**
   * Ragtime's real ingestion: documents are chunked, each chunk is embedded with its context, and a
   * document's score in a ranked list is its best chunk's; the number users actually get.
   */
  CHUNKED;

  /** Lower-case name, used in collection names and reports. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
