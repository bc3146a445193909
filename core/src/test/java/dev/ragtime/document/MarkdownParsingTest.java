package dev.ragtime.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MarkdownParsingTest {
  final DocumentParsers parsers = DocumentParsers.create();

  ParsedDocument md(String text) {
    return parsers.parse("doc.md", text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void atxAndSetextHeadingsBecomeHeadingBlocksWithLevels() {
    ParsedDocument doc =
        md(
            """
            Main Title
            ==========

            Intro text.

            Section
            -------

            ### Sub *section* ###

            #### Deep
            """);
    assertThat(doc.blocks())
        .containsExactly(
            Block.heading(1, "Main Title"),
            Block.paragraph("Intro text."),
            Block.heading(2, "Section"),
            Block.heading(3, "Sub section"),
            Block.heading(4, "Deep"));
    assertThat(doc.title()).isEqualTo("Main Title");
  }

  @Test
  void emphasisLinksAndImagesAreReducedToTheirText() {
    ParsedDocument doc =
        md(
            "Some **bold**, _italic_, `code` and a [link](https://example.com \"t\") plus"
                + " ![alt text](img.png) and <https://auto.link>.\nSoft break joins lines.");
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph(
                "Some bold, italic, code and a link plus alt text and https://auto.link. Soft"
                    + " break joins lines."));
  }

  @Test
  void listItemsAreParagraphsWithPlainMarkers() {
    ParsedDocument doc =
        md(
            """
            - apples
            - pears
              with a second line

            3. three
            4. four
               - nested
            """);
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph("- apples"),
            Block.paragraph("- pears with a second line"),
            Block.paragraph("3. three"),
            Block.paragraph("4. four"),
            Block.paragraph("- nested"));
  }

  @Test
  void fencedAndIndentedCodeKeepTheirLines() {
    ParsedDocument doc =
        md(
            """
            Before.

            ```java
            int x = 1;
              if (x > 0) {
                  return *x*;
              }
            ```

                indented code
                  more

            After.
            """);
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph("Before."),
            Block.paragraph("int x = 1;\n  if (x > 0) {\n      return *x*;\n  }"),
            Block.paragraph("indented code\n  more"),
            Block.paragraph("After."));
  }

  @Test
  void rawHtmlIsReadAsHtmlAndScriptsNeverLeak() {
    ParsedDocument doc =
        md(
            """
            Text <span class="x">inline</span> <script>alert('leak1')</script> end.

            <script>
            var secret = 'leak2';
            </script>

            <div>
            <h2>Html heading</h2>
            <p>Html paragraph</p>
            </div>

            <style>.leak3 { color: red }</style>
            """);
    assertThat(doc.plainText()).doesNotContain("leak", "alert", "secret", "color");
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph("Text inline end."),
            Block.heading(2, "Html heading"),
            Block.paragraph("Html paragraph"));
  }

  @Test
  void frontMatterIsRemovedAndItsTitleUsed() {
    ParsedDocument doc =
        md(
            """
            ---
            title: "Front Matter Title"
            tags: [a, b]
            ---
            # Heading One

            Body.
            """);
    assertThat(doc.title()).isEqualTo("Front Matter Title");
    assertThat(doc.blocks())
        .containsExactly(Block.heading(1, "Heading One"), Block.paragraph("Body."));
    assertThat(doc.plainText()).doesNotContain("tags");
  }

  @Test
  void blockQuotesAndThematicBreaksAreFlattened() {
    ParsedDocument doc = md("> quoted\n> text\n\n---\n\nafter");
    assertThat(doc.blocks())
        .containsExactly(Block.paragraph("quoted text"), Block.paragraph("after"));
  }

  @Test
  void tableRowsBecomeParagraphsWithCellsSeparated() {
    ParsedDocument doc =
        md(
            """
            | Name | **Age** |
            |------|--------:|
            | Ada  | 36      |
            |      |         |
            | Alan |         |
            """);
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph("Name | Age"), Block.paragraph("Ada | 36"), Block.paragraph("Alan |"));
  }
}
