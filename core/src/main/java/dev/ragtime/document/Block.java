package dev.ragtime.document;

import java.util.Objects;

/**
 * One structural unit of a parsed document: a heading or a paragraph of body text (a list item, a
 * table row or a code block counts as a paragraph). The chunker uses the structure to cut at
 * natural boundaries.
 *
 * @param kind heading or paragraph
 * @param level heading level 1..6 for headings, 0 for paragraphs
 * @param text the text, whitespace-normalised within lines, never blank
 */
public record Block(Kind kind, int level, String text) {

  /** What a block is. */
  public enum Kind {
    HEADING,
    PARAGRAPH
  }

  public Block {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("block text must not be blank");
    }
    if (kind == Kind.HEADING && (level < 1 || level > 6)) {
      throw new IllegalArgumentException("heading level must be in [1, 6], was " + level);
    }
    if (kind == Kind.PARAGRAPH && level != 0) {
      throw new IllegalArgumentException("paragraph level must be 0, was " + level);
    }
  }

  public static Block heading(int level, String text) {
    return new Block(Kind.HEADING, level, text);
  }

  public static Block paragraph(String text) {
    return new Block(Kind.PARAGRAPH, 0, text);
  }
}
