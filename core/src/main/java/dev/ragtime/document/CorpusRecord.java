package dev.ragtime.document;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One document of a bulk corpus file (BEIR-style JSON lines), see {@link JsonlCorpus}.
 *
 * @param id the record id, never blank
 * @param title the title, empty if the record has none
 * @param text the body text, empty if the record has none; paragraphs separated by line breaks
 */
public record CorpusRecord(String id, String title, String text) {
  public CorpusRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(text, "text");
    if (id.isBlank()) {
      throw new IllegalArgumentException("record id must not be blank, was '" + id + "'");
    }
  }

  /**
   * This record as a document: the record title (whitespace-normalised), and one paragraph per
   * non-blank line of the text. Metadata: {@code type=jsonl}. The document is empty (no blocks) if
   * the text has no visible characters; the title is not repeated as a block.
   */
  public ParsedDocument toDocument() {
    List<Block> blocks = new ArrayList<>();
    int start = 0;
    int n = text.length();
    while (start <= n) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = n;
      }
      String line = Text.normalizeLines(text.substring(start, end));
      if (!Text.isBlank(line)) {
        blocks.add(Block.paragraph(line));
      }
      start = end + 1;
    }
    String cleanTitle = Text.normalizeLines(title).replace('\n', ' ');
    return new ParsedDocument(cleanTitle, blocks, Map.of("type", "jsonl"));
  }
}
