package dev.ragtime.document;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * HTML to blocks with jsoup.
 *
 * <p>Page chrome is removed first: scripts, styles, templates, navigation, asides, footers, forms,
 * embedded objects and hidden elements, plus a {@code <header>} that sits outside the page's {@code
 * <main>}/{@code <article>}. When the page has a {@code <main>} (or {@code role=main}) only that is
 * read. Script and style content never reaches the text: it is removed with its element, and jsoup
 * keeps it in data nodes, which the walker ignores anyway.
 *
 * <p>The walker flows inline text into the current paragraph and ends the paragraph at every
 * block-level element boundary, so text directly inside a {@code <div>} is kept, nested blocks are
 * not duplicated, and {@code <br>} becomes a line break. h1–h6 become headings, {@code <pre>} keeps
 * its lines, and each table row becomes one paragraph with cells separated by " | ". Stateless and
 * thread-safe.
 */
final class HtmlParser {
  private static final String CHROME =
      "script, style, noscript, template, nav, aside, footer, form, button, select, textarea,"
          + " input, iframe, frame, object, embed, applet, svg, math, canvas, audio, video, map,"
          + " dialog, [hidden], [aria-hidden=true], [role=navigation], [role=banner],"
          + " [role=contentinfo], [role=search], [role=complementary]";

  private static final Set<String> BLOCK_TAGS =
      Set.of(
          "address",
          "article",
          "aside",
          "blockquote",
          "body",
          "caption",
          "center",
          "dd",
          "details",
          "dialog",
          "dir",
          "div",
          "dl",
          "dt",
          "fieldset",
          "figcaption",
          "figure",
          "footer",
          "form",
          "header",
          "hgroup",
          "hr",
          "html",
          "legend",
          "li",
          "main",
          "menu",
          "nav",
          "ol",
          "p",
          "section",
          "summary",
          "table",
          "tbody",
          "td",
          "tfoot",
          "th",
          "thead",
          "tr",
          "ul");

  private HtmlParser() {}

  static ParsedDocument parse(byte[] bytes, String source) {
    Text.requireNoNul(bytes, source);
    Document doc;
    try {
      doc = Jsoup.parse(new ByteArrayInputStream(bytes), null, "");
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory cannot fail", e);
    }
    Map<String, String> metadata = new HashMap<>();
    String lang = doc.select("html").attr("lang").strip();
    if (!lang.isEmpty()) {
      metadata.put("lang", lang);
    }
    String author = doc.select("meta[name=author]").attr("content").strip();
    if (!author.isEmpty()) {
      metadata.put("author", author);
    }
    metadata.put("charset", doc.charset().name());

    removeChrome(doc);
    String title = oneLine(doc.title());
    if (title.isEmpty()) {
      Element h1 = doc.selectFirst("h1");
      title = h1 == null ? "" : oneLine(h1.text());
    }
    Element main = doc.selectFirst("main, [role=main]");
    List<Block> blocks = blocks(main != null ? main : doc.body());
    return new ParsedDocument(title, blocks, metadata);
  }

  /** Blocks of an HTML fragment (used for raw HTML inside Markdown). */
  static List<Block> fragmentBlocks(String html) {
    Document doc = Jsoup.parseBodyFragment(html);
    removeChrome(doc);
    return blocks(doc.body());
  }

  private static void removeChrome(Document doc) {
    doc.select(CHROME).remove();
    if (doc.selectFirst("main, [role=main], article") != null) {
      for (Element header : doc.select("header")) {
        if (header.closest("main, [role=main], article") == null) {
          header.remove();
        }
      }
    }
  }

  private static List<Block> blocks(Element root) {
    var walker = new Walker();
    NodeTraversor.traverse(walker, root);
    walker.flush();
    return walker.out;
  }

  private static String oneLine(String s) {
    return Text.normalizeLines(s).replace('\n', ' ');
  }

  private static int headingLevel(String tag) {
    if (tag.length() == 2 && tag.charAt(0) == 'h' && tag.charAt(1) >= '1' && tag.charAt(1) <= '6') {
      return tag.charAt(1) - '0';
    }
    return 0;
  }

  /** Flows the DOM into blocks; see the class comment. Single use. */
  private static final class Walker implements NodeVisitor {
    final List<Block> out = new ArrayList<>();
    private final StringBuilder buf = new StringBuilder();
    private int headingLevel;
    private int preDepth;
    private int cellDepth;
    private int cellsInRow;

    @Override
    public void head(Node node, int depth) {
      if (node instanceof TextNode text) {
        if (preDepth > 0) {
          buf.append(text.getWholeText());
        } else {
          appendCollapsed(text.getWholeText());
        }
        return;
      }
      if (!(node instanceof Element element)) {
        return; // comments, data nodes (script/style bodies), doctype
      }
      String tag = element.normalName();
      int level = headingLevel(tag);
      if (level > 0) {
        if (headingLevel == 0 && preDepth == 0 && cellDepth == 0) {
          flush();
          headingLevel = level;
        } else {
          buf.append(' ');
        }
      } else if (tag.equals("pre") || tag.equals("listing") || tag.equals("xmp")) {
        if (preDepth == 0 && headingLevel == 0 && cellDepth == 0) {
          flush();
        }
        preDepth++;
      } else if (tag.equals("br")) {
        buf.append('\n');
      } else if (tag.equals("tr")) {
        boundary();
        cellsInRow = 0;
      } else if (tag.equals("td") || tag.equals("th")) {
        if (cellDepth == 0 && cellsInRow > 0) {
          buf.append(" | ");
        }
        cellDepth++;
      } else if (BLOCK_TAGS.contains(tag)) {
        boundary();
      }
    }

    @Override
    public void tail(Node node, int depth) {
      if (!(node instanceof Element element)) {
        return;
      }
      String tag = element.normalName();
      int level = headingLevel(tag);
      if (level > 0 && level == headingLevel) {
        flush();
        headingLevel = 0;
      } else if (tag.equals("pre") || tag.equals("listing") || tag.equals("xmp")) {
        preDepth--;
        if (preDepth == 0 && headingLevel == 0 && cellDepth == 0) {
          String code = Text.normalizeCode(buf.toString());
          buf.setLength(0);
          if (!Text.isBlank(code)) {
            out.add(Block.paragraph(code));
          }
        }
      } else if (tag.equals("td") || tag.equals("th")) {
        cellDepth--;
        if (cellDepth == 0) {
          cellsInRow++;
        }
      } else if (tag.equals("tr")) {
        boundary();
      } else if (BLOCK_TAGS.contains(tag)) {
        boundary();
      }
    }

    private void boundary() {
      if (headingLevel > 0 || preDepth > 0 || cellDepth > 0) {
        buf.append(preDepth > 0 ? "" : " ");
      } else {
        flush();
      }
    }

    private void appendCollapsed(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        buf.append(Text.isSpace(c) ? ' ' : c);
      }
    }

    void flush() {
      if (buf.isEmpty()) {
        return;
      }
      String text = Text.normalizeLines(buf);
      buf.setLength(0);
      if (Text.isBlank(text)) {
        return;
      }
      if (headingLevel > 0) {
        out.add(Block.heading(headingLevel, text.replace('\n', ' ')));
      } else {
        out.add(Block.paragraph(text));
      }
    }
  }
}
