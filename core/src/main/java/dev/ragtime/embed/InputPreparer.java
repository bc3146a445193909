package dev.ragtime.embed;

import dev.ragtime.chunk.TokenCounter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Input preparation, the pipeline's first step: normalises each text ({@link TextKey#normalize}),
 * rejects blank ones for remote providers, cuts over-long ones for the OpenAI-compatible provider
 * (which rejects instead of truncating) and keys each distinct text by exactly what will be sent
 * and what for. Pure: no I/O, no shared state. Thread-safe.
 *
 * <p>Key namespace: the model's namespace for passages, the same plus {@code |query} for queries,
 * so a model that embeds the two differently never serves one for the other.
 */
final class InputPreparer {
  private final String namespace;
  private final boolean remote;
  private final boolean truncates;
  private final int maxInputTokens;
  private final TokenCounter tokenCounter;

  /**
   * The prepared call: {@code keys[i]} is the key of input {@code i}; {@code textOf} maps each
   * distinct key, in first-seen order, to the text sent for it.
   */
  record Prepared(String[] keys, Map<String, String> textOf) {}

  InputPreparer(String namespace, EmbeddingConfig config, TokenCounter tokenCounter) {
    this.namespace = namespace;
    this.remote = config.provider() != EmbeddingConfig.Provider.LOCAL;
    this.truncates = config.provider() == EmbeddingConfig.Provider.OPENAI;
    this.maxInputTokens = config.maxInputTokens();
    this.tokenCounter = tokenCounter;
  }

  /**
   * @throws IllegalArgumentException naming the index of a blank text (remote providers only)
   * @throws NullPointerException naming a null text
   */
  Prepared prepare(List<String> texts, EmbeddingModel.Purpose purpose) {
    String space = purpose == EmbeddingModel.Purpose.QUERY ? namespace + "|query" : namespace;
    int n = texts.size();
    String[] keys = new String[n];
    Map<String, String> textOf = new LinkedHashMap<>(); // key -> the text sent for it
    Map<String, String> keyOf = new HashMap<>(); // normalised input -> key
    for (int i = 0; i < n; i++) {
      String t = Objects.requireNonNull(texts.get(i), "texts contains null");
      String norm = TextKey.normalize(t);
      if (remote && norm.isEmpty()) {
        throw new IllegalArgumentException(
            "text at index " + i + " is blank; embedding providers reject empty input");
      }
      String key = keyOf.get(norm);
      if (key == null) {
        // Key exactly what is sent: after truncation, so a new maxInputTokens or token counter
        // never serves a vector of the old truncation.
        String toSend = truncate(norm);
        key = TextKey.key(space, toSend);
        keyOf.put(norm, key);
        textOf.putIfAbsent(key, toSend);
      }
      keys[i] = key;
    }
    return new Prepared(keys, textOf);
  }

  /** Estimated tokens of a text as sent (for batching and TPM pacing). */
  int tokens(String text) {
    return tokenCounter.count(text);
  }

  /**
   * OpenAI-compatible servers reject inputs over the model's context instead of truncating, so
   * over-long inputs are cut here (by the token estimate); Ollama and TEI are asked to truncate.
   */
  String truncate(String text) {
    if (!truncates) {
      return text;
    }
    int max = maxInputTokens;
    String t = text;
    if (tokenCounter.count(t) <= max) {
      return t;
    }
    t = t.substring(0, Math.min(t.length(), max * 4));
    while (tokenCounter.count(t) > max && t.length() > 1) {
      t = t.substring(0, (int) (t.length() * 0.9));
    }
    return t;
  }
}
