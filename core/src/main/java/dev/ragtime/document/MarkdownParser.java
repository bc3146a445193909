package dev.ragtime.document;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.LinkReferenceDefinition;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;

/**
 * Markdown (CommonMark) to blocks with commonmark-java.
 *
 * <p>ATX and setext headings become heading blocks with their level. Paragraphs become paragraph
 * blocks with emphasis, link and image syntax reduced to their text (link targets are dropped,
 * images keep their alt text) and soft line breaks unwrapped. Each list item is a paragraph that
 * starts with a plain marker ("- " or "3. ") so lists stay recognisable in chunk text. Fenced and
 * indented code blocks are paragraphs that keep their lines. GitHub-style tables become one
 * paragraph per row, cells separated by " | ". Raw HTML blocks go through the HTML walker (so
 * {@code <script>} content is dropped); inline HTML tags are dropped, and text between inline
 * script or style tags is dropped with them. A leading YAML ({@code ---}) or TOML ({@code +++})
 * front matter block is removed; its {@code title} becomes the document title. Otherwise the title
 * is the first level-1 heading.
 *
 * <p>Thread-safe: the commonmark parser is immutable.
 */
final class MarkdownParser {
  private static final Pattern YAML_TITLE =
      Pattern.compile("^title\\s*:\\s*(.*)$", Pattern.MULTILINE);
  private static final Pattern TOML_TITLE =
      Pattern.compile("^title\\s*=\\s*(.*)$", Pattern.MULTILINE);

  private final Parser parser =
      Parser.builder().extensions(List.of(TablesExtension.create())).build();

  ParsedDocument parse(byte[] bytes, String source) {
    Text.Decoded decoded = Text.decode(bytes, source);
    String text = decoded.text();
    String title = "";
    FrontMatter fm = frontMatter(text);
    if (fm != null) {
      title = fm.title();
      text = fm.body();
    }
    Node root = parser.parse(text);
    List<Block> blocks = new ArrayList<>();
    blocks(root, blocks);
    if (title.isEmpty()) {
      for (Block b : blocks) {
        if (b.kind() == Block.Kind.HEADING && b.level() == 1) {
          title = b.text();
          break;
        }
      }
    }
    return new ParsedDocument(title, blocks, Map.of("charset", decoded.charset()));
  }

  private record FrontMatter(String title, String body) {}

  /** The front matter at the very start of the text, or null if there is none. */
  private static FrontMatter frontMatter(String text) {
    String fence;
    if (text.startsWith("---\n") || text.startsWith("---\r\n")) {
      fence = "---";
    } else if (text.startsWith("+++\n") || text.startsWith("+++\r\n")) {
      fence = "+++";
    } else {
      return null;
    }
    int lineStart = text.indexOf('\n') + 1;
    while (lineStart < text.length()) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = text.length();
      }
      String line = text.substring(lineStart, lineEnd).strip();
      if (line.equals(fence) || (fence.equals("---") && line.equals("..."))) {
        String header = text.substring(0, lineStart);
        Matcher m = (fence.equals("---") ? YAML_TITLE : TOML_TITLE).matcher(header);
        String title = m.find() ? unquote(m.group(1).strip()) : "";
        return new FrontMatter(title, text.substring(Math.min(text.length(), lineEnd + 1)));
      }
      lineStart = lineEnd + 1;
    }
    return null; // no closing fence: it was a thematic break, not front matter
  }

  private static String unquote(String s) {
    if (s.length() >= 2
        && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'")))) {
      s = s.substring(1, s.length() - 1);
    }
    return Text.normalizeLines(s).replace('\n', ' ');
  }

  private static void blocks(Node parent, List<Block> out) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
      switch (n) {
        case Heading h -> {
          String text = Text.normalizeLines(inlineText(h)).replace('\n', ' ');
          if (!Text.isBlank(text)) {
            out.add(Block.heading(h.getLevel(), text));
          }
        }
        case Paragraph p -> {
          String text = Text.normalizeLines(inlineText(p));
          String marker =
              p.getParent() instanceof ListItem item && item.getFirstChild() == p
                  ? marker(item)
                  : "";
          if (!Text.isBlank(text)) {
            out.add(Block.paragraph(marker + text));
          }
        }
        case FencedCodeBlock code -> addCode(code.getLiteral(), out);
        case IndentedCodeBlock code -> addCode(code.getLiteral(), out);
        case HtmlBlock html -> out.addAll(HtmlParser.fragmentBlocks(html.getLiteral()));
        case TableRow row -> addRow(row, out);
        case ThematicBreak ignored -> {}
        case LinkReferenceDefinition ignored -> {}
        default -> blocks(n, out); // document, lists, list items, block quotes, custom blocks
      }
    }
  }

  /** A table row is one paragraph, cells separated by " | " as for HTML tables. */
  private static void addRow(TableRow row, List<Block> out) {
    var cells = new StringJoiner(" | ");
    boolean any = false;
    for (Node cell = row.getFirstChild(); cell != null; cell = cell.getNext()) {
      String text = Text.normalizeLines(inlineText(cell)).replace('\n', ' ');
      any |= !text.isEmpty();
      cells.add(text);
    }
    if (any) {
      out.add(Block.paragraph(Text.normalizeLines(cells.toString())));
    }
  }

  private static void addCode(String literal, List<Block> out) {
    String code = Text.normalizeCode(literal);
    if (!Text.isBlank(code)) {
      out.add(Block.paragraph(code));
    }
  }

  private static String marker(ListItem item) {
    if (item.getParent() instanceof OrderedList list) {
      Integer start = list.getMarkerStartNumber();
      int number = start == null ? 1 : start;
      for (Node prev = item.getPrevious(); prev != null; prev = prev.getPrevious()) {
        number++;
      }
      String delimiter = list.getMarkerDelimiter() == null ? "." : list.getMarkerDelimiter();
      return number + delimiter + " ";
    }
    return item.getParent() instanceof BulletList ? "- " : "";
  }

  private static String inlineText(Node node) {
    var sb = new StringBuilder();
    new InlineCollector(sb).collect(node);
    return sb.toString();
  }

  /** Collects the plain text of inline content. Single use. */
  private static final class InlineCollector {
    private final StringBuilder sb;
    private String skipUntilClosing; // set while inside inline <script>/<style>

    InlineCollector(StringBuilder sb) {
      this.sb = sb;
    }

    void collect(Node parent) {
      for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
        if (n instanceof HtmlInline html) {
          onHtml(html.getLiteral());
        } else if (skipUntilClosing != null) {
          continue;
        } else if (n instanceof org.commonmark.node.Text text) {
          sb.append(text.getLiteral());
        } else if (n instanceof Code code) {
          sb.append(code.getLiteral());
        } else if (n instanceof SoftLineBreak) {
          sb.append(' ');
        } else if (n instanceof HardLineBreak) {
          sb.append('\n');
        } else {
          collect(n); // emphasis, strong emphasis, link text, image alt text
        }
      }
    }

    private void onHtml(String tag) {
      String lower = tag.toLowerCase(Locale.ROOT);
      if (skipUntilClosing != null) {
        if (lower.startsWith("</" + skipUntilClosing)) {
          skipUntilClosing = null;
        }
      } else if (lower.endsWith("/>")) {
        return; // self-closing: nothing to skip
      } else if (lower.startsWith("<script")) {
        skipUntilClosing = "script";
      } else if (lower.startsWith("<style")) {
        skipUntilClosing = "style";
      } else if (lower.startsWith("<br")) {
        sb.append('\n');
      }
    }
  }
}
