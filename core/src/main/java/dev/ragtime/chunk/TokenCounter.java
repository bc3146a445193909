package dev.ragtime.chunk;

/**
 * Counts tokens the way the embedding model will, so chunks can be packed to the model's budget.
 * Thread-safe.
 */
@FunctionalInterface
public interface TokenCounter {

  /** Number of model tokens in {@code text}, excluding special tokens such as [CLS] and [SEP]. */
  int count(String text);

  /**
   * A rough counter for when the model's tokenizer is not at hand: about four characters per token,
   * and never fewer tokens than words.
   */
  static TokenCounter approximate() {
    return text -> {
      if (text.isEmpty()) {
        return 0;
      }
      int words = text.trim().isEmpty() ? 0 : text.trim().split("\\s+").length;
      return Math.max(words, (text.length() + 3) / 4);
    };
  }
}
