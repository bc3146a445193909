package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where collections live: the embedded Lucene store ({@link LuceneCollections}, one folder per
 * collection) or a shared database (the {@code postgres} module). The composition root builds one
 * and every command, the server and the evaluation use it through this interface.
 *
 * <p>Every implementation records the embedding model per collection and refuses an incompatible
 * one ({@link ModelMismatchException}); how many writers a collection may have at once is the
 * implementation's to say. Collection names match {@code [A-Za-z0-9_.-]{1,64}} and are neither
 * {@code .} nor {@code ..} ({@link #validateName}).
 *
 * <p>Thread-safe.
 */
public interface IndexStore {

  /**
   * Opens a collection for reading and writing, creating it (recording {@code model}) if it does
   * not exist. The caller closes the returned index.
   *
   * @throws ModelMismatchException if the collection was built with an incompatible model
   * @throws IllegalArgumentException if the name is invalid
   */
  Index open(String collection, ModelInfo model);

  /**
   * Opens an existing collection with the model it records, for callers that do not know the model
   * (statistics, deletion, BM25-only search).
   *
   * @throws CollectionNotFoundException if there is no such collection
   */
  Index openExisting(String collection);

  /**
   * Opens an existing collection for searching only; it sees what writers (in this or another
   * process or node) commit. Creates nothing. The caller closes the returned index.
   *
   * @param model the model that query vectors will come from; must be compatible with the recorded
   *     one
   * @throws CollectionNotFoundException if there is no such collection
   * @throws ModelMismatchException if the collection was built with an incompatible model
   */
  SearchableIndex openReadOnly(String collection, ModelInfo model);

  /**
   * Like {@link #openReadOnly(String, ModelInfo)} with the model the collection records.
   *
   * @throws CollectionNotFoundException if there is no such collection
   */
  default SearchableIndex openReadOnly(String collection) {
    ModelInfo recorded =
        recordedModel(collection).orElseThrow(() -> new CollectionNotFoundException(collection));
    return openReadOnly(collection, recorded);
  }

  /** Whether the collection exists. */
  boolean exists(String collection);

  /** Names of the existing collections, sorted. */
  List<String> names();

  /** The embedding model the collection records, or empty if it does not exist. */
  Optional<ModelInfo> recordedModel(String collection);

  /**
   * Document and chunk counts.
   *
   * @throws CollectionNotFoundException if there is no such collection
   */
  IndexStats stats(String collection);

  /**
   * Deletes a collection and everything it holds.
   *
   * @return false if there was no such collection
   * @throws IllegalStateException if the store cannot drop it while it is open
   */
  boolean drop(String collection);

  /**
   * Checks a collection name.
   *
   * @return {@code name}
   * @throws IllegalArgumentException naming the bad value
   */
  static String validateName(String name) {
    Objects.requireNonNull(name, "collection name");
    if (!Names.VALID.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "invalid collection name '"
              + name
              + "': use 1 to 64 letters, digits, '_', '.' or '-' (not '.' or '..')");
    }
    return name;
  }

  /** Whether {@link #validateName} accepts {@code name}. */
  static boolean isValidName(String name) {
    return name != null
        && Names.VALID.matcher(name).matches()
        && !name.equals(".")
        && !name.equals("..");
  }

  /** Holder of the name pattern (interfaces cannot have private constants). */
  final class Names {
    static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private Names() {}
  }
}
