package dev.ragtime.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.document.Block;
import dev.ragtime.document.ParsedDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Randomised documents and configs against the chunker's guarantees. The seed is fixed so runs are
 * reproducible; set {@code -Dragtime.test.seed=...} to explore others (the seed is logged and named
 * in every failure message).
 */
class ChunkerPropertyTest {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkerPropertyTest.class);
  private static final long SEED = Long.getLong("ragtime.test.seed", 20_240_601L);
  private static final int DOCUMENTS = 300;

  @Test
  void randomDocumentsKeepBudgetCoverageOrderOverlapAndHeadingRules() {
    LOG.info("ChunkerPropertyTest seed {}", SEED);
    var random = new Random(SEED);
    for (int d = 0; d < DOCUMENTS; d++) {
      long docSeed = random.nextLong();
      var docRandom = new Random(docSeed);
      Generated generated = generate(docRandom);
      int max = 4 + docRandom.nextInt(300);
      int overlap = docRandom.nextInt(Math.max(1, max / 2));
      int min = docRandom.nextInt(max / 3 + 1);
      TokenCounter counter =
          docRandom.nextBoolean() ? ChunkerTest.WORDS : TokenCounter.approximate();
      var config = new ChunkerConfig(max, overlap, min);
      String context = "seed " + SEED + ", document " + d + " (docSeed " + docSeed + "), " + config;
      check(generated, Chunker.create(config, counter), counter, context);
    }
  }

  /** A document plus its normalised text and where each heading's section starts in it. */
  record Generated(
      ParsedDocument doc,
      String normalized,
      TreeMap<Integer, String> pathAt,
      List<int[]> headings) {}

  private static void check(Generated g, Chunker chunker, TokenCounter counter, String context) {
    ChunkerConfig config = chunker.config();
    List<Chunk> chunks = chunker.chunk(g.doc());
    assertThat(chunks).as(context).isNotEmpty();
    int previousStart = -1;
    int previousEnd = 0;
    for (int k = 0; k < chunks.size(); k++) {
      Chunk c = chunks.get(k);
      String where = context + ", chunk " + k + ": " + c;
      assertThat(c.position()).as(where).isEqualTo(k);
      assertThat(c.text()).as(where).isNotBlank();
      assertThat(c.tokens()).as(where).isEqualTo(counter.count(c.text()));
      assertThat(c.tokens()).as(where).isLessThanOrEqualTo(config.maxTokens());

      // Coverage and order: each chunk is a piece of the document, starting after the previous
      // chunk's start and no later than just after its end; the last one ends the document.
      String text = normalize(c.text());
      int start = locate(g.normalized(), text, k, previousStart, previousEnd);
      assertThat(start)
          .as(where + " does not continue the previous chunk without a gap")
          .isNotNegative();
      int end = start + text.length();

      // Overlap: bounded, and never across a heading.
      if (k > 0 && start < previousEnd) {
        String repeated = g.normalized().substring(start, previousEnd);
        assertThat(ChunkerTest.WORDS.count(repeated))
            .as(where + " overlap too long: " + repeated)
            .isLessThanOrEqualTo(config.overlapTokens());
        for (int[] h : g.headings()) {
          assertThat(h[0] >= start && h[0] < previousEnd)
              .as(where + " overlap crosses a heading at " + h[0])
              .isFalse();
        }
      }

      // The heading path is one in force somewhere in the chunk.
      var paths = new ArrayList<String>();
      paths.add(g.pathAt().floorEntry(start).getValue());
      paths.addAll(g.pathAt().subMap(start, true, end, false).values());
      assertThat(paths).as(where).contains(c.heading());

      previousStart = start;
      previousEnd = Math.max(previousEnd, end);
    }
    assertThat(previousEnd)
        .as(context + ": text lost at the end")
        .isEqualTo(g.normalized().length());
    assertThat(chunker.chunk(g.doc())).as(context + ": not deterministic").isEqualTo(chunks);
  }

  /**
   * Where chunk {@code k} sits in the normalised document, given that the previous one spans
   * [previousStart, previousEnd): right after it, or overlapping it (the latest such position,
   * which explains the chunk with the least overlap), always reaching past its end. -1 if nowhere.
   */
  private static int locate(String doc, String text, int k, int previousStart, int previousEnd) {
    if (k == 0) {
      return doc.startsWith(text) ? 0 : -1;
    }
    if (doc.startsWith(text, previousEnd + 1)) {
      return previousEnd + 1;
    }
    for (int at = doc.lastIndexOf(text, previousEnd);
        at > previousStart;
        at = doc.lastIndexOf(text, at - 1)) {
      if (at + text.length() > previousEnd) {
        return at;
      }
    }
    return -1;
  }

  private static final String[] WORDS_POOL = {
    "the",
    "index",
    "vector",
    "retrieval",
    "chunk",
    "model",
    "query",
    "document",
    "agent",
    "token",
    "Lucene",
    "embedding",
    "search",
    "a",
    "of",
    "and",
    "e.g.",
    "Dr.",
    "3.5",
    "naïve",
    "日本語",
    "😀",
    "x-ray",
    "(note)",
    "\"quoted\""
  };

  private static Generated generate(Random r) {
    var blocks = new ArrayList<Block>();
    int n = 1 + r.nextInt(25);
    int uniq = 0;
    for (int b = 0; b < n; b++) {
      int kind = r.nextInt(10);
      if (kind < 2) {
        blocks.add(
            Block.heading(1 + r.nextInt(6), "H" + (uniq++) + " " + words(r, 1 + r.nextInt(5))));
      } else if (kind == 2) {
        // a long sentence without punctuation, sometimes with a giant word
        var sb = new StringBuilder("U" + (uniq++));
        int len = 20 + r.nextInt(400);
        for (int i = 0; i < len; i++) {
          sb.append(' ').append(r.nextInt(50) == 0 ? giantWord(r) : word(r));
        }
        blocks.add(Block.paragraph(sb.toString()));
      } else if (kind == 3) {
        // code-like lines
        var sb = new StringBuilder("C" + (uniq++));
        int lines = 1 + r.nextInt(30);
        for (int i = 0; i < lines; i++) {
          sb.append('\n')
              .append("  ".repeat(r.nextInt(3)))
              .append(words(r, 1 + r.nextInt(8)))
              .append(';');
        }
        blocks.add(Block.paragraph(sb.toString()));
      } else {
        var sb = new StringBuilder("P" + (uniq++));
        int sentences = 1 + r.nextInt(12);
        for (int i = 0; i < sentences; i++) {
          sb.append(' ')
              .append(words(r, 1 + r.nextInt(30)))
              .append(r.nextInt(4) == 0 ? "? " : ". ");
        }
        blocks.add(Block.paragraph(sb.toString().strip()));
      }
    }
    // Normalised text, section paths and heading positions, as the chunker should see them.
    var normalized = new StringBuilder();
    var pathAt = new TreeMap<Integer, String>();
    pathAt.put(0, "");
    var headings = new ArrayList<int[]>();
    String[] stack = new String[6];
    for (Block block : blocks) {
      if (!normalized.isEmpty()) {
        normalized.append(' ');
      }
      int at = normalized.length();
      if (block.kind() == Block.Kind.HEADING) {
        stack[block.level() - 1] = normalize(block.text());
        java.util.Arrays.fill(stack, block.level(), 6, null);
        var path = new StringBuilder();
        for (String s : stack) {
          if (s != null) {
            path.append(path.isEmpty() ? "" : " › ").append(s);
          }
        }
        headings.add(new int[] {at});
        pathAt.put(at, path.toString());
      }
      normalized.append(normalize(block.text()));
    }
    return new Generated(
        new ParsedDocument("Random", blocks, Map.of()), normalized.toString(), pathAt, headings);
  }

  /** A long run of random letters: unique, so that each piece of it has one place in the text. */
  private static String giantWord(Random r) {
    int length = 50 + r.nextInt(3000);
    var sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('a' + r.nextInt(26)));
    }
    return sb.toString();
  }

  private static String word(Random r) {
    return r.nextInt(5) == 0
        ? Long.toString(r.nextLong() & 0xFFFFFFFFL, 36)
        : WORDS_POOL[r.nextInt(WORDS_POOL.length)];
  }

  private static String words(Random r, int count) {
    var sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(i == 0 ? "" : " ").append(word(r));
    }
    return sb.toString();
  }

  static String normalize(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }
}
