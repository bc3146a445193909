package dev.ragtime.document;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plain text to blocks: a paragraph per run of non-blank lines. Line breaks inside a paragraph are
 * kept (plain text often carries lists or verse that way); whitespace within lines is normalised.
 * There are no headings and no title (the caller falls back to the file name). Stateless.
 */
final class PlainTextParser {
  private PlainTextParser() {}

  static ParsedDocument parse(byte[] bytes, String source) {
    Text.Decoded decoded = Text.decode(bytes, source);
    List<Block> blocks = new ArrayList<>();
    for (List<String> lines : Text.paragraphs(decoded.text())) {
      String text = Text.normalizeLines(String.join("\n", lines));
      if (!Text.isBlank(text)) {
        blocks.add(Block.paragraph(text));
      }
    }
    return new ParsedDocument("", blocks, Map.of("charset", decoded.charset()));
  }
}
