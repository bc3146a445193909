package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index contract with every search going through a read-only view: writes go to the writing
 * {@link LuceneIndex}, snapshots come from a {@link LuceneReadOnlyIndex} on the same collection
 * (refreshing on every snapshot). So everything the contract says about what snapshots see (whole
 * documents, durable writes, filters, scores, snapshot isolation under concurrent writes) is
 * checked for readers that follow another writer's commits.
 */
class LuceneReadOnlyContractTest extends IndexContract {
  @TempDir Path dataDir;

  @Override
  protected Index open(String name, ModelInfo model) {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    Index writer = collections.open(name, model);
    try {
      return new ReadThroughIndex(
          writer, collections.openReadOnly(name, model, Duration.ZERO, System::nanoTime));
    } catch (RuntimeException e) {
      writer.close();
      throw e;
    }
  }

  /** Writes through {@code writer}, searches through {@code reader}. */
  private record ReadThroughIndex(Index writer, SearchableIndex reader) implements Index {
    @Override
    public String name() {
      return reader.name();
    }

    @Override
    public ModelInfo model() {
      return reader.model();
    }

    @Override
    public String reindexAdvice() {
      return reader.reindexAdvice();
    }

    @Override
    public IndexSnapshot snapshot() {
      return reader.snapshot();
    }

    @Override
    public List<Hit> chunks(String docId) {
      return writer.chunks(docId);
    }

    @Override
    public Optional<String> contentHash(String docId) {
      return writer.contentHash(docId);
    }

    @Override
    public Set<String> documentIds() {
      return writer.documentIds();
    }

    @Override
    public void write(List<DocumentWrite> documents) {
      writer.write(documents);
    }

    @Override
    public Set<String> delete(Set<String> docIds) {
      return writer.delete(docIds);
    }

    @Override
    public IndexStats stats() {
      return writer.stats();
    }

    @Override
    public void close() {
      try {
        reader.close();
      } finally {
        writer.close();
      }
    }
  }
}
