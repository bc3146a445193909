package dev.ragtime.document;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text helpers shared by the parsers: byte decoding with binary detection, and whitespace
 * normalisation. Pure functions, thread-safe.
 *
 * <p>Decoding policy for files that claim to be text (.txt, .md; .html uses jsoup's own charset
 * detection after the NUL check):
 *
 * <ol>
 *   <li>A byte-order mark decides the charset (UTF-8, UTF-16LE, UTF-16BE).
 *   <li>Otherwise a NUL byte anywhere means binary: text files never contain one.
 *   <li>Valid UTF-8 is decoded as such.
 *   <li>Invalid UTF-8 that also holds at least as many valid multi-byte UTF-8 sequences as invalid
 *       bytes is taken as damaged UTF-8 and decoded with U+FFFD replacements; otherwise it is taken
 *       as a legacy 8-bit file and decoded as windows-1252 (a superset of Latin-1).
 *   <li>After decoding, more than 1% control characters (other than tab, line feed, carriage return
 *       and form feed) means binary.
 * </ol>
 */
final class Text {
  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private Text() {}

  /** Decoded text and the charset that was used (for metadata). */
  record Decoded(String text, String charset) {}

  /**
   * Decodes bytes of a file that should be text.
   *
   * @throws DocumentException with reason BINARY if the content is not text
   */
  static Decoded decode(byte[] bytes, String source) {
    Decoded decoded;
    if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
      decoded = new Decoded(decodeLenient(bytes, 3, StandardCharsets.UTF_8), "UTF-8");
    } else if (startsWith(bytes, 0xFF, 0xFE)) {
      decoded = new Decoded(decodeLenient(bytes, 2, StandardCharsets.UTF_16LE), "UTF-16LE");
    } else if (startsWith(bytes, 0xFE, 0xFF)) {
      decoded = new Decoded(decodeLenient(bytes, 2, StandardCharsets.UTF_16BE), "UTF-16BE");
    } else {
      requireNoNul(bytes, source);
      decoded = decodeWithoutBom(bytes);
    }
    long controls = countControls(decoded.text());
    if (controls * 100 > decoded.text().length()) {
      throw new DocumentException(
          DocumentException.Reason.BINARY,
          source,
          "holds binary data ("
              + controls
              + " control characters in "
              + decoded.text().length()
              + "), not text; convert it to text or give it the extension of its real format");
    }
    return decoded;
  }

  /**
   * @throws DocumentException with reason BINARY if the bytes contain NUL and no UTF-16 BOM
   */
  static void requireNoNul(byte[] bytes, String source) {
    if (startsWith(bytes, 0xFF, 0xFE) || startsWith(bytes, 0xFE, 0xFF)) {
      return;
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        throw new DocumentException(
            DocumentException.Reason.BINARY,
            source,
            "holds binary data (a NUL byte at offset "
                + i
                + "), not text; convert it to text or give it the extension of its real format");
      }
    }
  }

  private static Decoded decodeWithoutBom(byte[] bytes) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return new Decoded(text, "UTF-8");
    } catch (CharacterCodingException e) {
      long[] validInvalid = scanUtf8(bytes);
      if (validInvalid[0] >= validInvalid[1]) {
        return new Decoded(decodeLenient(bytes, 0, StandardCharsets.UTF_8), "UTF-8 (repaired)");
      }
      return new Decoded(decodeLenient(bytes, 0, WINDOWS_1252), "windows-1252");
    }
  }

  private static String decodeLenient(byte[] bytes, int offset, Charset charset) {
    try {
      CharBuffer chars =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("a replacing decoder never reports errors", e);
    }
  }

  /** Counts {valid multi-byte UTF-8 sequences, invalid bytes}; a heuristic, not a validator. */
  private static long[] scanUtf8(byte[] bytes) {
    long valid = 0;
    long invalid = 0;
    int i = 0;
    while (i < bytes.length) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        i++;
        continue;
      }
      int len;
      if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
      } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
      } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
      } else {
        len = 0;
      }
      boolean ok = len > 0 && i + len <= bytes.length;
      for (int k = 1; ok && k < len; k++) {
        ok = (bytes[i + k] & 0xC0) == 0x80;
      }
      if (ok) {
        valid++;
        i += len;
      } else {
        invalid++;
        i++;
      }
    }
    return new long[] {valid, invalid};
  }

  private static long countControls(String text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
        n++;
      }
    }
    return n;
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Normalises prose: line breaks become {@code \n}; within each line, runs of whitespace and
   * control characters become one space and the line is trimmed; empty lines are dropped;
   * zero-width spaces and byte-order marks are removed.
   */
  static String normalizeLines(CharSequence s) {
    var out = new StringBuilder(s.length());
    boolean pendingSpace = false;
    boolean lineHasText = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        if (lineHasText) {
          out.append('\n');
        }
        lineHasText = false;
        pendingSpace = false;
      } else if (c == '\u200B' || c == '\uFEFF' || c == '\u00AD') {
        // zero-width space, BOM, soft hyphen: invisible, drop
      } else if (isSpace(c)) {
        pendingSpace = lineHasText;
      } else {
        if (pendingSpace) {
          out.append(' ');
        }
        pendingSpace = false;
        lineHasText = true;
        out.append(c);
      }
    }
    int end = out.length();
    while (end > 0 && out.charAt(end - 1) == '\n') {
      end--;
    }
    out.setLength(end);
    return out.toString();
  }

  /**
   * Normalises code or preformatted text: keeps line structure and indentation, strips trailing
   * whitespace of each line, replaces control characters other than tab with spaces, and drops
   * leading and trailing blank lines.
   */
  static String normalizeCode(String s) {
    String[] lines = s.split("\r\n|\r|\n", -1);
    var kept = new ArrayList<String>(lines.length);
    for (String line : lines) {
      var sb = new StringBuilder(line.length());
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        sb.append(c != '\t' && (Character.isISOControl(c) || c == '\uFEFF') ? ' ' : c);
      }
      int end = sb.length();
      while (end > 0 && isSpace(sb.charAt(end - 1))) {
        end--;
      }
      sb.setLength(end);
      kept.add(sb.toString());
    }
    int from = 0;
    int to = kept.size();
    while (from < to && kept.get(from).isEmpty()) {
      from++;
    }
    while (to > from && kept.get(to - 1).isEmpty()) {
      to--;
    }
    return String.join("\n", kept.subList(from, to));
  }

  /**
   * Splits text into paragraphs at blank (whitespace-only) lines. Each paragraph is returned as its
   * raw lines; paragraphs with no visible text are dropped.
   */
  static List<List<String>> paragraphs(String text) {
    var result = new ArrayList<List<String>>();
    var current = new ArrayList<String>();
    for (String line : text.split("\r\n|\r|\n", -1)) {
      if (isBlank(line)) {
        if (!current.isEmpty()) {
          result.add(current);
          current = new ArrayList<>();
        }
      } else {
        current.add(line);
      }
    }
    if (!current.isEmpty()) {
      result.add(current);
    }
    return result;
  }

  /** True for whitespace, no-break spaces and control characters (other than line breaks). */
  static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c);
  }

  /** True if the string has no visible character (by {@link #isSpace} and invisible marks). */
  static boolean isBlank(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isSpace(c) && c != '\u200B' && c != '\uFEFF' && c != '\u00AD') {
        return false;
      }
    }
    return true;
  }

  /** Cuts a string to at most {@code max} characters, ending with "…" if it was cut. */
  static String abbreviate(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int cut = max - 1;
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--;
    }
    return s.substring(0, cut).stripTrailing() + "…";
  }
}
