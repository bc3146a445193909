package dev.ragtime.ingest;

import dev.ragtime.document.ContentHash;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.document.ParsedDocument;
import java.util.Iterator;

/** Documents from a JSONL corpus: each record is one document whose id is the record's id. */
public final class CorpusSources {
  private CorpusSources() {}

  /**
   * The corpus's records as documents, streamed: iterate once, while the corpus is open.
   *
   * @param label shown as the source of each record, e.g. the corpus file name
   */
  public static Iterator<SourceDocument> of(JsonlCorpus corpus, String label) {
    Iterator<CorpusRecord> records = corpus.stream().iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return records.hasNext();
      }

      @Override
      public SourceDocument next() {
        return new RecordDocument(records.next(), label);
      }
    };
  }

  private record RecordDocument(CorpusRecord record, String label) implements SourceDocument {
    @Override
    public String id() {
      return record.id();
    }

    @Override
    public String path() {
      return label + "#" + record.id();
    }

    @Override
    public String contentHash(String fingerprint) {
      return ContentHash.fingerprint(record.title(), record.text(), fingerprint);
    }

    @Override
    public ParsedDocument parse() {
      return record.toDocument();
    }
  }
}
