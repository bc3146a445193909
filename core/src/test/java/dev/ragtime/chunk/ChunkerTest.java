package dev.ragtime.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.document.Block;
import dev.ragtime.document.ParsedDocument;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  /** Exactly additive over whitespace joins, which makes budgets easy to reason about. */
  static final TokenCounter WORDS = text -> text.isBlank() ? 0 : text.strip().split("\\s+").length;

  static ParsedDocument doc(Block... blocks) {
    return new ParsedDocument("Doc", List.of(blocks), Map.of());
  }

  /** n sentences "sN w w w ... ." of {@code words} words each, numbered from {@code first}. */
  static String sentences(int first, int n, int words) {
    var sb = new StringBuilder();
    for (int i = first; i < first + n; i++) {
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append("S").append(i);
      for (int w = 1; w < words - 1; w++) {
        sb.append(" w").append(i).append('x').append(w);
      }
      sb.append(" end").append(i).append('.');
    }
    return sb.toString();
  }

  @Test
  void emptyDocumentGivesNoChunks() {
    var chunker = Chunker.create(ChunkerConfig.defaults(), WORDS);
    assertThat(chunker.chunk(doc())).isEmpty();
  }

  @Test
  void shortDocumentIsOneChunkWithHeadingsInTextAndPath() {
    var chunker = Chunker.create(ChunkerConfig.defaults(), WORDS);
    List<Chunk> chunks =
        chunker.chunk(
            doc(
                Block.heading(1, "Guide"),
                Block.heading(2, "Install"),
                Block.paragraph("Download it. Run it.")));
    assertThat(chunks).hasSize(1);
    Chunk only = chunks.getFirst();
    assertThat(only.position()).isZero();
    assertThat(only.text()).isEqualTo("Guide\n\nInstall\n\nDownload it. Run it.");
    assertThat(only.heading()).isEqualTo("Guide › Install");
    assertThat(only.tokens()).isEqualTo(WORDS.count(only.text()));
  }

  @Test
  void headingStartsANewChunkOnceTheCurrentOneHoldsBodyText() {
    var chunker = Chunker.create(new ChunkerConfig(100, 10, 0), WORDS);
    List<Chunk> chunks =
        chunker.chunk(
            doc(
                Block.heading(1, "Alpha"),
                Block.paragraph("First section text."),
                Block.heading(1, "Beta"),
                Block.paragraph("Second section text.")));
    assertThat(chunks)
        .extracting(Chunk::text)
        .containsExactly("Alpha\n\nFirst section text.", "Beta\n\nSecond section text.");
    assertThat(chunks).extracting(Chunk::heading).containsExactly("Alpha", "Beta");
    assertThat(chunks).extracting(Chunk::position).containsExactly(0, 1);
  }

  @Test
  void tinySectionsAreMergedIntoTheNextInsteadOfBecomingTinyChunks() {
    var chunker = Chunker.create(new ChunkerConfig(100, 10, 8), WORDS);
    List<Chunk> chunks =
        chunker.chunk(
            doc(
                Block.heading(1, "Changelog"),
                Block.heading(2, "1.0"),
                Block.paragraph("Fixed a bug."),
                Block.heading(2, "1.1"),
                Block.paragraph("Added two features."),
                Block.heading(2, "1.2"),
                Block.paragraph(sentences(0, 2, 6))));
    // "Fixed a bug." (3 words) and "Added two features." (3 words) are below 8 body tokens, so
    // the chunk continues; after 1.2's 12 words it would be closed at the next heading.
    assertThat(chunks).hasSize(1);
    assertThat(chunks.getFirst().heading()).isEqualTo("Changelog › 1.0");
    assertThat(chunks.getFirst().text()).contains("1.1\n\nAdded two features.", "1.2\n\nS0 ");
  }

  @Test
  void headingPathFollowsTheHeadingLevels() {
    var chunker = Chunker.create(new ChunkerConfig(100, 0, 0), WORDS);
    List<Chunk> chunks =
        chunker.chunk(
            doc(
                Block.paragraph("Preamble before any heading."),
                Block.heading(1, "A"),
                Block.heading(2, "B"),
                Block.heading(3, "C"),
                Block.paragraph("Under C."),
                Block.heading(2, "D"),
                Block.paragraph("Under D."),
                Block.heading(4, "E"),
                Block.paragraph("Under E, which skips level three."),
                Block.heading(1, "F"),
                Block.paragraph("Under F.")));
    assertThat(chunks)
        .extracting(Chunk::heading)
        .containsExactly("", "A › B › C", "A › D", "A › D › E", "F");
    assertThat(chunks.get(1).text()).isEqualTo("A\n\nB\n\nC\n\nUnder C.");
  }

  @Test
  void everyChunkStaysWithinTheBudgetWithBothCounters() {
    var blocks = new ArrayList<Block>();
    for (int i = 0; i < 30; i++) {
      if (i % 7 == 0) {
        blocks.add(Block.heading(1 + i % 3, "Heading number " + i));
      }
      blocks.add(Block.paragraph(sentences(i * 100, 1 + i % 9, 3 + i % 17)));
    }
    for (TokenCounter counter : List.of(WORDS, TokenCounter.approximate())) {
      var chunker = Chunker.create(new ChunkerConfig(40, 8, 6), counter);
      List<Chunk> chunks = chunker.chunk(doc(blocks.toArray(Block[]::new)));
      assertThat(chunks).isNotEmpty();
      assertThat(chunks)
          .allSatisfy(
              c -> {
                assertThat(c.tokens()).isLessThanOrEqualTo(40).isEqualTo(counter.count(c.text()));
                assertThat(c.text()).isNotBlank().isEqualTo(c.text().strip());
              });
      assertThat(chunks)
          .extracting(Chunk::position)
          .containsExactlyElementsOf(IntStream.range(0, chunks.size()).boxed().toList());
    }
  }

  @Test
  void longParagraphIsCutAtSentenceBoundaries() {
    var chunker = Chunker.create(new ChunkerConfig(30, 0, 0), WORDS);
    String paragraph = sentences(0, 20, 7);
    List<Chunk> chunks = chunker.chunk(doc(Block.paragraph(paragraph)));
    assertThat(chunks).hasSizeGreaterThan(4);
    assertThat(chunks)
        .allSatisfy(
            c -> {
              assertThat(c.text()).startsWith("S").endsWith(".");
              assertThat(c.tokens()).isLessThanOrEqualTo(30);
            });
    // Without overlap the chunks are the paragraph, cut between sentences.
    assertThat(chunks.stream().map(Chunk::text).collect(Collectors.joining(" ")))
        .isEqualTo(paragraph);
  }

  @Test
  void sentenceLongerThanTheBudgetIsCutBetweenWords() {
    var chunker = Chunker.create(new ChunkerConfig(16, 0, 0), WORDS);
    String sentence =
        IntStream.range(0, 100).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
    List<Chunk> chunks = chunker.chunk(doc(Block.paragraph(sentence)));
    assertThat(chunks).hasSize(7); // 6 x 16 words + 4 words
    assertThat(chunks).allSatisfy(c -> assertThat(c.tokens()).isLessThanOrEqualTo(16));
    assertThat(chunks.stream().map(Chunk::text).collect(Collectors.joining(" ")))
        .isEqualTo(sentence);
  }

  @Test
  void giantWordIsCutBetweenCharactersWithoutSplittingSurrogatePairs() {
    TokenCounter approx = TokenCounter.approximate();
    var chunker = Chunker.create(new ChunkerConfig(50, 0, 0), approx);
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    String giant = "x".repeat(3001) + emoji.repeat(500) + "y".repeat(777);
    List<Chunk> chunks = chunker.chunk(doc(Block.paragraph("Before. " + giant + " After.")));
    assertThat(chunks)
        .allSatisfy(
            c -> {
              assertThat(c.tokens()).isLessThanOrEqualTo(50);
              assertThat(Character.isLowSurrogate(c.text().charAt(0))).isFalse();
              assertThat(Character.isHighSurrogate(c.text().charAt(c.text().length() - 1)))
                  .isFalse();
            });
    String joined = chunks.stream().map(Chunk::text).collect(Collectors.joining());
    assertThat(joined.replace(" ", ""))
        .isEqualTo(("Before. " + giant + " After.").replace(" ", ""));
    // Pieces are as large as the budget allows: about 4 characters per token.
    assertThat(chunks.get(1).text().length()).isGreaterThan(150);
  }

  @Test
  void overlapRepeatsTrailingSentencesOfTheSameSectionWithinItsBound() {
    var chunker = Chunker.create(new ChunkerConfig(50, 12, 0), WORDS);
    List<Chunk> chunks = chunker.chunk(doc(Block.paragraph(sentences(0, 30, 10))));
    assertThat(chunks).hasSizeGreaterThan(5);
    for (int k = 1; k < chunks.size(); k++) {
      String previous = chunks.get(k - 1).text();
      String current = chunks.get(k).text();
      // The next chunk starts with the last sentence of the previous one (10 words <= 12).
      String lastSentence = previous.substring(previous.lastIndexOf(" S") + 1);
      assertThat(current).as("chunk %d", k).startsWith(lastSentence);
      assertThat(WORDS.count(lastSentence)).isLessThanOrEqualTo(12);
      assertThat(chunks.get(k).tokens()).isLessThanOrEqualTo(50);
    }
  }

  @Test
  void overlapNeverReachesBackAcrossAHeading() {
    var chunker = Chunker.create(new ChunkerConfig(40, 20, 0), WORDS);
    List<Chunk> chunks =
        chunker.chunk(
            doc(
                Block.heading(1, "Alpha"),
                Block.paragraph(sentences(0, 8, 9)),
                Block.heading(1, "Beta"),
                Block.paragraph(sentences(100, 8, 9))));
    Pattern alphaText = Pattern.compile("\\b(S[0-7]\\b|end[0-7]\\.)");
    Pattern betaText = Pattern.compile("\\b(S10[0-7]|end10[0-7]\\.)");
    for (Chunk c : chunks) {
      boolean alpha = alphaText.matcher(c.text()).find();
      boolean beta = betaText.matcher(c.text()).find();
      assertThat(alpha && beta).as("chunk mixes sections: %s", c.text()).isFalse();
    }
    Chunk firstBeta =
        chunks.stream().filter(c -> c.text().startsWith("Beta")).findFirst().orElseThrow();
    assertThat(firstBeta.heading()).isEqualTo("Beta");
    assertThat(chunks.get(chunks.indexOf(firstBeta) - 1).text()).endsWith("end7.");
    // Within a section the overlap is there: the second chunk starts with sentences of the first.
    String second = chunks.get(1).text();
    assertThat(chunks.get(0).text()).contains(second.substring(0, second.indexOf('.') + 1));
    assertThat(second).contains(lastSentenceOf(chunks.get(0).text()));
  }

  private static String lastSentenceOf(String text) {
    return text.substring(text.lastIndexOf(" S") + 1);
  }

  @Test
  void paragraphThatFitsIsKeptWholeOnceTheChunkIsHalfFull() {
    var chunker = Chunker.create(new ChunkerConfig(40, 0, 0), WORDS);
    String p1 = sentences(0, 3, 8); // 24 words: more than half the budget
    String p2 = sentences(10, 3, 8); // 24 words: fits in a chunk, not in the 16 left
    List<Chunk> chunks = chunker.chunk(doc(Block.paragraph(p1), Block.paragraph(p2)));
    assertThat(chunks).extracting(Chunk::text).containsExactly(p1, p2);
  }

  @Test
  void paragraphIsSplitToFillAChunkThatIsLessThanHalfFull() {
    var chunker = Chunker.create(new ChunkerConfig(40, 0, 0), WORDS);
    String p1 = sentences(0, 1, 8); // 8 words
    String p2 =
        sentences(10, 4, 8); // 32 words would fit alone, but the first chunk is mostly empty
    List<Chunk> chunks = chunker.chunk(doc(Block.paragraph(p1), Block.paragraph(p2)));
    assertThat(chunks)
        .extracting(Chunk::text)
        .containsExactly(p1 + "\n\n" + sentences(10, 3, 8), sentences(13, 1, 8));
  }

  @Test
  void overlapIsDroppedWhenItWouldPreventAFittingParagraphFromStayingWhole() {
    var chunker = Chunker.create(new ChunkerConfig(40, 10, 0), WORDS);
    String p1 = sentences(0, 4, 6); // 24 words
    String p2 = sentences(10, 6, 6); // 36 words: fits a chunk only without overlap
    List<Chunk> chunks = chunker.chunk(doc(Block.paragraph(p1), Block.paragraph(p2)));
    assertThat(chunks).extracting(Chunk::text).containsExactly(p1, p2);
  }

  @Test
  void chunkingIsDeterministic() {
    var chunker = Chunker.create(ChunkerConfig.of(30, 6), TokenCounter.approximate());
    ParsedDocument d =
        doc(Block.heading(1, "T"), Block.paragraph(sentences(0, 40, 9)), Block.paragraph("Tail."));
    assertThat(chunker.chunk(d)).isEqualTo(chunker.chunk(d));
  }

  @Test
  void oneChunkerServesManyThreadsAtOnce() throws Exception {
    var chunker = Chunker.create(ChunkerConfig.of(30, 6), TokenCounter.approximate());
    List<ParsedDocument> docs =
        IntStream.range(0, 16)
            .mapToObj(i -> doc(Block.heading(1, "T" + i), Block.paragraph(sentences(i, 30, 7))))
            .toList();
    List<List<Chunk>> expected = docs.stream().map(chunker::chunk).toList();
    ExecutorService pool =
        Executors.newFixedThreadPool(4, Thread.ofPlatform().name("chunker-test-", 0).factory());
    try {
      List<Future<List<Chunk>>> futures = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (ParsedDocument d : docs) {
          futures.add(pool.submit(() -> chunker.chunk(d)));
        }
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get()).isEqualTo(expected.get(i % docs.size()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void chunkTextKeepsLineBreaksInsideABlock() {
    var chunker = Chunker.create(ChunkerConfig.defaults(), WORDS);
    List<Chunk> chunks =
        chunker.chunk(doc(Block.paragraph("int x = 1;\n  return x;"), Block.paragraph("Done.")));
    assertThat(chunks.getFirst().text()).isEqualTo("int x = 1;\n  return x;\n\nDone.");
  }

  @Test
  void longHeadingsAreAbbreviatedInThePathButKeptInTheText() {
    var chunker = Chunker.create(ChunkerConfig.defaults(), WORDS);
    String longHeading = "Heading " + "x".repeat(300);
    List<Chunk> chunks =
        chunker.chunk(doc(Block.heading(2, longHeading), Block.paragraph("Body.")));
    assertThat(chunks.getFirst().heading()).hasSize(100).endsWith("…");
    assertThat(chunks.getFirst().text()).startsWith(longHeading);
  }

  @Test
  void fingerprintNamesTheConfigAndChangesWithIt() {
    var chunker = Chunker.create(ChunkerConfig.defaults(), WORDS);
    assertThat(chunker.fingerprint()).isEqualTo("chunker/1;max=200;overlap=32;min=32");
    assertThat(
            Arrays.asList(
                ChunkerConfig.defaults().fingerprint(),
                ChunkerConfig.defaults().withMaxTokens(199).fingerprint(),
                ChunkerConfig.defaults().withOverlapTokens(0).fingerprint(),
                ChunkerConfig.defaults().withMinChunkTokens(0).fingerprint()))
        .doesNotHaveDuplicates();
  }
}
