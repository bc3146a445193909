package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The index contract against the on-disk Lucene index. */
class LuceneIndexTest extends IndexContract {
  @TempDir Path dataDir;

  @Override
  protected Index open(String name, ModelInfo model) {
    return LuceneCollections.at(dataDir).open(name, model);
  }
}
