package dev.ragtime.chunk;

import dev.ragtime.document.Block;
import dev.ragtime.document.ParsedDocument;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Splits a {@link ParsedDocument} into {@link Chunk}s that fit the embedding model's token budget,
 * cutting at the document's own structure where it can.
 *
 * <p>Structure: a heading closes the current chunk once that chunk holds at least {@link
 * ChunkerConfig#minChunkTokens()} tokens of body text (smaller sections run on into the next one
 * rather than becoming tiny chunks). A chunk's {@link Chunk#heading()} is the path of headings in
 * force where its body text starts, built from heading levels ("Guide › Install › Linux"); the
 * heading texts themselves also appear in the chunk text where they occur. The document title is
 * not part of the path. Paragraphs are packed greedily; one that fits in a chunk is kept whole,
 * moving to the next chunk if the current one is at least half full; longer ones are cut at
 * sentence boundaries, over-long sentences between words, giant words between characters. When a
 * chunk is cut inside a section, the next one starts with the previous chunk's trailing sentences,
 * up to {@link ChunkerConfig#overlapTokens()}; there is never overlap across a heading.
 *
 * {@snippet :
 * Chunker chunker = Chunker.create(ChunkerConfig.defaults(), tokenCounter);
 * List<Chunk> chunks = chunker.chunk(DocumentParsers.create().parse(path));
 * }
 *
 * <p>Guarantees, for every document:
 *
 * <ul>
 *   <li>every chunk has at most {@link ChunkerConfig#maxTokens()} tokens by the {@link
 *       TokenCounter}, overlap included (the only exception: a single character that alone counts
 *       more than the budget, which no sane counter produces);
 *   <li>no text is lost: every sentence of every block appears in some chunk, in document order;
 *       chunk texts are the block texts cut at sentence, word or (for giant words) character
 *       boundaries, with blocks joined by a blank line;
 *   <li>positions run 0..n-1, no chunk is blank, and the result depends only on the input, the
 *       config and the counter.
 * </ul>
 *
 * <p>Thread-safe if the token counter is (as {@link TokenCounter} requires).
 */
public final class Chunker {
  /*
   * Design notes.
   *
   * 1. Segmentation. Every block is cut into segments: its sentences (java.text.BreakIterator,
   *    Locale.ROOT); a sentence over the budget is cut between words, greedily; a word over the
   *    budget is cut between characters (never inside a surrogate pair). A segment is a span
   *    [start, end) of its block's text without surrounding whitespace, so the text between two
   *    segments of one block is exactly the original whitespace. Each segment is counted once.
   *
   * 2. Packing. A chunk is a contiguous run of segments, so coverage and order are structural.
   *    Chunks are filled greedily using the sum of segment counts plus JOIN_ALLOWANCE per block
   *    join as the estimate. A paragraph that fits in one chunk is kept whole: if it does not fit
   *    in the room left, it starts the next chunk, unless the current chunk is less than half
   *    full, in which case it is split at sentences to fill it. A heading closes the current
   *    chunk once that chunk holds at least minChunkTokens of body text (tiny sections are
   *    merged into the next one instead).
   *
   * 3. Verification. Token counts are not exactly additive (joins, merges of word-pieces), so
   *    each finished chunk is rendered and counted once; in the rare case that it exceeds the
   *    budget, segments are handed back to the next chunk until it fits. A single segment always
   *    fits, because it was counted on exactly the text it renders to. This keeps the cost at
   *    one count per segment plus one per chunk, linear in the document size.
   *
   * 4. Overlap. When a chunk is closed for lack of room (not at a heading), the next chunk starts
   *    with the previous chunk's trailing segments up to overlapTokens, never reaching back
   *    across a heading, never repeating the previous chunk's own overlap, and never the whole of
   *    its new content. Overlap is shortened (to nothing if need be) so that the next segment,
   *    or the next paragraph if it is kept whole, fits beside it.
   */

  /** Estimated tokens added by the blank line between two blocks. */
  private static final int JOIN_ALLOWANCE = 1;

  /** Longest heading text kept in a heading path, in characters. */
  private static final int MAX_PATH_PART_CHARS = 100;

  private static final String PATH_SEPARATOR = " › ";

  private final ChunkerConfig config;
  private final TokenCounter counter;

  private Chunker(ChunkerConfig config, TokenCounter counter) {
    this.config = Objects.requireNonNull(config, "config");
    this.counter = Objects.requireNonNull(counter, "counter");
  }

  /**
   * A chunker.
   *
   * @param config sizes
   * @param counter counts tokens as the embedding model will; must be thread-safe
   */
  public static Chunker create(ChunkerConfig config, TokenCounter counter) {
    return new Chunker(config, counter);
  }

  /** The sizes this chunker uses. */
  public ChunkerConfig config() {
    return config;
  }

  /** The config's {@link ChunkerConfig#fingerprint()}: changes whenever chunking would. */
  public String fingerprint() {
    return config.fingerprint();
  }

  /**
   * Chunks one document.
   *
   * @param doc the document
   * @return the chunks in document order; empty if the document has no blocks
   */
  public List<Chunk> chunk(ParsedDocument doc) {
    List<Block> blocks = doc.blocks();
    if (blocks.isEmpty()) {
      return List.of();
    }
    Segments segs = segment(blocks);
    return pack(segs);
  }

  // ---------------------------------------------------------------------------------------------
  // Segmentation

  /** Segments of a document in parallel arrays; blocks keep their stripped texts. */
  private static final class Segments {
    final String[] texts; // per block
    final int[] blockTokens; // per block: sum of its segment counts
    final int[] blockEnd; // per block: index after its last segment
    final List<String> paths = new ArrayList<>();

    int size;
    int[] block = new int[64];
    int[] start = new int[64];
    int[] end = new int[64];
    int[] tokens = new int[64];
    int[] path = new int[64];
    boolean[] heading = new boolean[64];
    boolean[] first = new boolean[64];

    Segments(int blocks) {
      texts = new String[blocks];
      blockTokens = new int[blocks];
      blockEnd = new int[blocks];
    }

    void add(int b, int s, int e, int t, boolean isHeading, int pathId) {
      if (size == block.length) {
        int n = size * 2;
        block = Arrays.copyOf(block, n);
        start = Arrays.copyOf(start, n);
        end = Arrays.copyOf(end, n);
        tokens = Arrays.copyOf(tokens, n);
        path = Arrays.copyOf(path, n);
        heading = Arrays.copyOf(heading, n);
        first = Arrays.copyOf(first, n);
      }
      block[size] = b;
      start[size] = s;
      end[size] = e;
      tokens[size] = t;
      heading[size] = isHeading;
      first[size] = size == 0 || block[size - 1] != b;
      path[size] = pathId;
      blockTokens[b] += t;
      blockEnd[b] = size + 1;
      size++;
    }
  }

  private Segments segment(List<Block> blocks) {
    var segs = new Segments(blocks.size());
    segs.paths.add("");
    String[] headingStack = new String[6];
    int pathId = 0;
    BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
    for (int b = 0; b < blocks.size(); b++) {
      Block block = blocks.get(b);
      String text = block.text().strip();
      segs.texts[b] = text;
      boolean isHeading = block.kind() == Block.Kind.HEADING;
      if (isHeading) {
        int level = block.level();
        headingStack[level - 1] = abbreviate(text.replaceAll("\\s+", " "));
        Arrays.fill(headingStack, level, headingStack.length, null);
        segs.paths.add(joinPath(headingStack));
        pathId = segs.paths.size() - 1;
      }
      segmentBlock(segs, b, text, isHeading, pathId, sentences);
    }
    return segs;
  }

  private void segmentBlock(
      Segments segs, int b, String text, boolean isHeading, int pathId, BreakIterator sentences) {
    int max = config.maxTokens();
    sentences.setText(text);
    int from = sentences.first();
    for (int to = sentences.next(); to != BreakIterator.DONE; from = to, to = sentences.next()) {
      int s = skipSpace(text, from, to);
      int e = trimEnd(text, s, to);
      if (s >= e) {
        continue;
      }
      int t = counter.count(text.substring(s, e));
      if (t <= max) {
        segs.add(b, s, e, t, isHeading, pathId);
      } else {
        splitWords(segs, b, text, s, e, isHeading, pathId);
      }
    }
  }

  /** Cuts an over-budget sentence [s, e) into pieces of whole words, each within budget. */
  private void splitWords(
      Segments segs, int b, String text, int s, int e, boolean isHeading, int pathId) {
    int max = config.maxTokens();
    // Word spans: runs of non-space characters.
    List<int[]> words = new ArrayList<>();
    int i = s;
    while (i < e) {
      int ws = skipSpace(text, i, e);
      if (ws >= e) {
        break;
      }
      int we = ws;
      while (we < e && !Character.isWhitespace(text.charAt(we))) {
        we++;
      }
      words.add(new int[] {ws, we, counter.count(text.substring(ws, we))});
      i = we;
    }
    int w = 0;
    while (w < words.size()) {
      int[] word = words.get(w);
      if (word[2] > max) {
        splitChars(segs, b, text, word[0], word[1], isHeading, pathId);
        w++;
        continue;
      }
      // Greedy by estimate, then verify with one real count; shrink if the estimate was low.
      int last = w;
      long sum = word[2];
      while (last + 1 < words.size()
          && words.get(last + 1)[2] <= max
          && sum + words.get(last + 1)[2] <= max) {
        last++;
        sum += words.get(last)[2];
      }
      int pieceStart = word[0];
      int real = counter.count(text.substring(pieceStart, words.get(last)[1]));
      while (real > max && last > w) {
        last--;
        real = counter.count(text.substring(pieceStart, words.get(last)[1]));
      }
      segs.add(b, pieceStart, words.get(last)[1], real, isHeading, pathId);
      w = last + 1;
    }
  }

  /** Cuts an over-budget word [s, e) into character runs, each within budget if at all possible. */
  private void splitChars(
      Segments segs, int b, String text, int s, int e, boolean isHeading, int pathId) {
    int max = config.maxTokens();
    int pos = s;
    while (pos < e) {
      int lo = nextCodePoint(text, pos, e); // one code point always goes in, whatever it counts
      int loTokens = counter.count(text.substring(pos, lo));
      if (lo < e && loTokens <= max) {
        // Exponential search for a length that does not fit, then binary search between.
        int step = 16;
        int hi = -1;
        while (true) {
          int candidate = alignCodePoint(text, Math.min(e, pos + step), e);
          if (candidate <= lo) {
            step *= 2;
            continue;
          }
          int t = counter.count(text.substring(pos, candidate));
          if (t <= max) {
            lo = candidate;
            loTokens = t;
            if (candidate == e) {
              break;
            }
            step *= 2;
          } else {
            hi = candidate;
            break;
          }
        }
        while (hi > 0) {
          int mid = alignCodePoint(text, lo + (hi - lo) / 2, e);
          if (mid <= lo || mid >= hi) {
            break;
          }
          int t = counter.count(text.substring(pos, mid));
          if (t <= max) {
            lo = mid;
            loTokens = t;
          } else {
            hi = mid;
          }
        }
      }
      segs.add(b, pos, lo, loTokens, isHeading, pathId);
      pos = lo;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Packing

  private List<Chunk> pack(Segments segs) {
    int max = config.maxTokens();
    int n = segs.size;
    List<Chunk> chunks = new ArrayList<>();
    int from = 0;
    int overlap = 0; // segments at the start of the chunk repeated from the previous chunk
    while (from < n) {
      int to = from;
      long estimate = 0;
      long bodyTokens = 0;
      int bodySegments = 0;
      for (; to < from + overlap; to++) {
        estimate += joinCost(segs, from, to) + segs.tokens[to];
        bodyTokens += segs.tokens[to];
        bodySegments++;
      }
      int firstNew = to;
      while (to < n) {
        int join = joinCost(segs, from, to);
        if (segs.heading[to]) {
          if (segs.first[to] && bodySegments > 0 && bodyTokens >= config.minChunkTokens()) {
            break; // a new section starts a new chunk
          }
        } else if (segs.first[to]) {
          int b = segs.block[to];
          int whole = segs.blockTokens[b];
          if (whole <= max) {
            if (estimate + join + whole <= max) {
              estimate += join + whole;
              bodyTokens += whole;
              bodySegments += segs.blockEnd[b] - to;
              to = segs.blockEnd[b];
              continue;
            }
            if (to > firstNew && estimate * 2 >= max) {
              break; // keep the paragraph whole in the next chunk
            }
          }
        }
        if (estimate + join + segs.tokens[to] > max) {
          break;
        }
        estimate += join + segs.tokens[to];
        if (!segs.heading[to]) {
          bodyTokens += segs.tokens[to];
          bodySegments++;
        }
        to++;
      }
      assert to > firstNew : "no progress at segment " + to;

      String text = render(segs, from, to);
      int tokens = counter.count(text);
      while (tokens > max && to - from > 1) {
        if (to - firstNew > 1) {
          to--; // hand the last segment to the next chunk
        } else {
          from++; // only one new segment left: give up overlap instead
          overlap--;
        }
        text = render(segs, from, to);
        tokens = counter.count(text);
      }
      chunks.add(new Chunk(chunks.size(), text, headingPath(segs, from, to), tokens));
      if (to >= n) {
        break;
      }

      // Overlap for the next chunk: trailing body segments of this chunk's new content.
      int k = to;
      if (config.overlapTokens() > 0 && !segs.heading[to]) {
        long sum = 0;
        int minK = Math.max(from + overlap, firstNew) + 1; // keep at least one new segment out
        while (k - 1 >= minK && !segs.heading[k - 1]) {
          long add = segs.tokens[k - 1] + (k < to ? joinCost(segs, k - 1, k) : 0);
          if (sum + add > config.overlapTokens()) {
            break;
          }
          sum += add;
          k--;
        }
        int b = segs.block[to];
        long need =
            segs.first[to] && segs.blockTokens[b] <= max ? segs.blockTokens[b] : segs.tokens[to];
        while (k < to && sum + JOIN_ALLOWANCE + need > max) {
          sum -= segs.tokens[k] + (k + 1 < to ? joinCost(segs, k, k + 1) : 0);
          k++;
        }
      }
      overlap = to - k;
      from = k;
    }
    return chunks;
  }

  /** Estimated cost of joining segment {@code i} to the segment before it within a chunk. */
  private static int joinCost(Segments segs, int chunkStart, int i) {
    return i > chunkStart && segs.block[i] != segs.block[i - 1] ? JOIN_ALLOWANCE : 0;
  }

  /**
   * The text of segments [from, to): spans of one block as in the original, blocks joined by a
   * blank line.
   */
  private static String render(Segments segs, int from, int to) {
    var sb = new StringBuilder();
    int i = from;
    while (i < to) {
      int b = segs.block[i];
      int j = i;
      while (j + 1 < to && segs.block[j + 1] == b) {
        j++;
      }
      if (!sb.isEmpty()) {
        sb.append("\n\n");
      }
      sb.append(segs.texts[b], segs.start[i], segs.end[j]);
      i = j + 1;
    }
    return sb.toString();
  }

  /** The heading path in force at the chunk's first body text (or at its end if it has none). */
  private static String headingPath(Segments segs, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!segs.heading[i]) {
        return segs.paths.get(segs.path[i]);
      }
    }
    return segs.paths.get(segs.path[to - 1]);
  }

  // ---------------------------------------------------------------------------------------------
  // Small helpers

  private static String joinPath(String[] stack) {
    var sb = new StringBuilder();
    for (String part : stack) {
      if (part != null) {
        if (!sb.isEmpty()) {
          sb.append(PATH_SEPARATOR);
        }
        sb.append(part);
      }
    }
    return sb.toString();
  }

  private static String abbreviate(String s) {
    if (s.length() <= MAX_PATH_PART_CHARS) {
      return s;
    }
    int cut = MAX_PATH_PART_CHARS - 1;
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--;
    }
    return s.substring(0, cut).stripTrailing() + "…";
  }

  private static int skipSpace(String text, int from, int to) {
    while (from < to && Character.isWhitespace(text.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimEnd(String text, int from, int to) {
    while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  private static int nextCodePoint(String text, int pos, int end) {
    int next = pos + Character.charCount(text.codePointAt(pos));
    return Math.min(next, end);
  }

  /** {@code pos}, moved back by one if it would split a surrogate pair. */
  private static int alignCodePoint(String text, int pos, int end) {
    if (pos > 0
        && pos < end
        && Character.isLowSurrogate(text.charAt(pos))
        && Character.isHighSurrogate(text.charAt(pos - 1))) {
      return pos - 1;
    }
    return pos;
  }
}
