package dev.ragtime.ingest;

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
 * An index that forwards every call to another, for tests that change one behaviour (a failing
 * commit, a check before each commit). Closing it leaves the delegate open: the test owns that.
 */
abstract class ForwardingIndex implements Index {
  final Index delegate;

  ForwardingIndex(Index delegate) {
    this.delegate = delegate;
  }

  @Override
  public void write(List<DocumentWrite> documents) {
    delegate.write(documents);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public ModelInfo model() {
    return delegate.model();
  }

  @Override
  public String reindexAdvice() {
    return delegate.reindexAdvice();
  }

  @Override
  public List<Hit> chunks(String docId) {
    return delegate.chunks(docId);
  }

  @Override
  public Optional<String> contentHash(String docId) {
    return delegate.contentHash(docId);
  }

  @Override
  public Set<String> documentIds() {
    return delegate.documentIds();
  }

  @Override
  public Set<String> delete(Set<String> docIds) {
    return delegate.delete(docIds);
  }

  @Override
  public IndexSnapshot snapshot() {
    return delegate.snapshot();
  }

  @Override
  public IndexStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {}
}
