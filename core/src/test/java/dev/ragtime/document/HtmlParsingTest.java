package dev.ragtime.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HtmlParsingTest {
  final DocumentParsers parsers = DocumentParsers.create();

  ParsedDocument html(String text) {
    return parsers.parse("page.html", text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void titleHeadingsAndParagraphsAreExtractedWhileChromeIsDropped() {
    ParsedDocument doc =
        html(
            """
            <!DOCTYPE html>
            <html lang="en"><head>
              <title> The  Page </title>
              <meta name="author" content="Ada">
              <style>body { font-family: leak-style; }</style>
              <script>var leak = "leak-head-script";</script>
              <script type="application/ld+json">{"leak": "leak-json-ld"}</script>
            </head>
            <body>
              <nav><a href="/">Home leak-nav</a></nav>
              <header><p>Site banner leak-header</p></header>
              <main>
                <h1>Main heading</h1>
                <p>First <b>bold</b> paragraph
                   wrapped in source.</p>
                <div>Loose text in a div<br>after a break</div>
                <noscript>Enable JavaScript leak-noscript</noscript>
                <template><p>leak-template</p></template>
                <p hidden>leak-hidden</p>
                <h3>Details</h3>
                <ul><li>one</li><li>two <p>nested</p></li></ul>
                <blockquote><p>Quoted</p></blockquote>
                <pre>  code line 1
              code line 2</pre>
                <script>document.write("leak-body-script")</script>
                <aside>Related leak-aside</aside>
              </main>
              <footer>Copyright leak-footer</footer>
            </body></html>
            """);
    assertThat(doc.title()).isEqualTo("The Page");
    assertThat(doc.metadata())
        .containsEntry("type", "html")
        .containsEntry("lang", "en")
        .containsEntry("author", "Ada");
    assertThat(doc.plainText()).doesNotContain("leak", "font-family", "document.write");
    assertThat(doc.blocks())
        .containsExactly(
            Block.heading(1, "Main heading"),
            Block.paragraph("First bold paragraph wrapped in source."),
            Block.paragraph("Loose text in a div\nafter a break"),
            Block.heading(3, "Details"),
            Block.paragraph("one"),
            Block.paragraph("two"),
            Block.paragraph("nested"),
            Block.paragraph("Quoted"),
            Block.paragraph("  code line 1\n  code line 2"));
  }

  @Test
  void tableRowsBecomeParagraphsWithCellsSeparated() {
    ParsedDocument doc =
        html(
            "<table><tr><th>Name</th><th>Age</th></tr>"
                + "<tr><td>Ada</td><td><p>36</p><p>years</p></td></tr></table>");
    assertThat(doc.blocks())
        .containsExactly(Block.paragraph("Name | Age"), Block.paragraph("Ada | 36 years"));
  }

  @Test
  void firstH1IsTheTitleWhenThereIsNoTitleElement() {
    ParsedDocument doc = html("<body><h1>Only <em>H1</em></h1><p>text</p></body>");
    assertThat(doc.title()).isEqualTo("Only H1");
  }

  @Test
  void pageWithoutMainKeepsItsHeaderButDropsNavigation() {
    ParsedDocument doc =
        html(
            "<body><header><h1>Site</h1></header><div role=\"navigation\">menu-leak</div>"
                + "<p>Body</p></body>");
    assertThat(doc.blocks()).containsExactly(Block.heading(1, "Site"), Block.paragraph("Body"));
  }

  @Test
  void declaredCharsetIsHonoured() {
    byte[] bytes =
        "<html><head><meta charset=\"ISO-8859-1\"></head><body><p>Café</p></body></html>"
            .getBytes(StandardCharsets.ISO_8859_1);
    ParsedDocument doc = parsers.parse("latin.html", bytes);
    assertThat(doc.plainText()).isEqualTo("Café");
    assertThat(doc.metadata()).containsEntry("charset", "ISO-8859-1");
  }

  @Test
  void fileNameIsTheTitleWhenThePageHasNone() {
    assertThat(html("<p>Just text").title()).isEqualTo("page");
  }
}
