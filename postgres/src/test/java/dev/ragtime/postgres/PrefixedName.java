package dev.ragtime.postgres;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.IndexStats;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An index that reports another name than its collection's: lets tests keep one database per class
 * and still give each test the collection names it asks for.
 */
record PrefixedName(Index index, String name) implements Index {
  @Override
  public ModelInfo model() {
    return index.model();
  }

  @Override
  public String reindexAdvice() {
    return index.reindexAdvice();
  }

  @Override
  public IndexSnapshot snapshot() {
    return index.snapshot();
  }

  @Override
  public Optional<String> contentHash(String docId) {
    return index.contentHash(docId);
  }

  @Override
  public List<Hit> chunks(String docId) {
    return index.chunks(docId);
  }

  @Override
  public Set<String> documentIds() {
    return index.documentIds();
  }

  @Override
  public void write(List<DocumentWrite> documents) {
    index.write(documents);
  }

  @Override
  public Set<String> delete(Set<String> docIds) {
    return index.delete(docIds);
  }

  @Override
  public IndexStats stats() {
    return index.stats();
  }

  @Override
  public void close() {
    index.close();
  }
}
