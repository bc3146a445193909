package dev.ragtime.document;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document after parsing: its title and its text as a sequence of blocks, plus metadata that
 * every chunk inherits (for example {@code source}, {@code type}).
 *
 * @param title the document title (from the file's own title, first heading, or file name); may be
 *     empty, never null
 * @param blocks body in reading order; may be empty (an empty document)
 * @param metadata string metadata, copied
 */
public record ParsedDocument(String title, List<Block> blocks, Map<String, String> metadata) {
  public ParsedDocument {
    Objects.requireNonNull(title, "title");
    blocks = List.copyOf(blocks);
    metadata = Map.copyOf(metadata);
  }

  /** True when the document has no text at all. */
  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  /** All block texts joined by blank lines: the plain text of the document. */
  public String plainText() {
    var sb = new StringBuilder();
    for (Block b : blocks) {
      if (!sb.isEmpty()) {
        sb.append("\n\n");
      }
      sb.append(b.text());
    }
    return sb.toString();
  }
}
