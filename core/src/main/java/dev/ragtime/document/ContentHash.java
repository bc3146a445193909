package dev.ragtime.document;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * SHA-256 content hashes as lower-case hex strings (64 characters), used to recognise unchanged
 * content: a file's bytes, a chunk's text, or a fingerprint of several parts such as "model id +
 * chunker config + content hash".
 *
 * <p>Strings are hashed as UTF-8. Thread-safe (stateless).
 */
public final class ContentHash {
  private static final HexFormat HEX = HexFormat.of();
  private static final int BUFFER_BYTES = 64 * 1024;

  private ContentHash() {}

  /** SHA-256 of the bytes. */
  public static String sha256(byte[] bytes) {
    return HEX.formatHex(digest().digest(bytes));
  }

  /** SHA-256 of the string's UTF-8 encoding. */
  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * SHA-256 of a file's bytes, read as a stream (memory use does not depend on the file size).
   *
   * @throws DocumentException with reason UNREADABLE if the file cannot be read
   */
  public static String sha256(Path file) {
    MessageDigest md = digest();
    byte[] buffer = new byte[BUFFER_BYTES];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        md.update(buffer, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE, file.toString(), "no such file; check the path", e);
    } catch (AccessDeniedException e) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE,
          file.toString(),
          "permission denied; make the file readable by the user running Ragtime",
          e);
    } catch (IOException e) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE,
          file.toString(),
          "could not be read (" + e + "); check the file and the disk, then try again",
          e);
    }
    return HEX.formatHex(md.digest());
  }

  /**
   * A stable fingerprint of several parts: the SHA-256 of the parts, each preceded by its length,
   * so that no two different lists of parts share an encoding ({@code ("ab", "c")} and {@code ("a",
   * "bc")} differ, as do {@code ("a")} and {@code ("a", "")}).
   *
   * @param parts the parts in order; none may be null
   */
  public static String fingerprint(String... parts) {
    return fingerprint(List.of(parts));
  }

  /** As {@link #fingerprint(String...)}. */
  public static String fingerprint(List<String> parts) {
    MessageDigest md = digest();
    md.update(("n=" + parts.size() + ";").getBytes(StandardCharsets.US_ASCII));
    for (String part : parts) {
      byte[] bytes = Objects.requireNonNull(part, "part").getBytes(StandardCharsets.UTF_8);
      md.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
      md.update(bytes);
      md.update((byte) ';');
    }
    return HEX.formatHex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }
}
