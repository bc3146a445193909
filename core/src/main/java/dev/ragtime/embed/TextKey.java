package dev.ragtime.embed;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;

/**
 * Content addresses for the vector cache.
 *
 * <p>Normalisation is Unicode NFC plus removal of leading and trailing white space ({@link
 * String#strip()}): both keep the meaning (NFC only unifies canonically equivalent code point
 * sequences, e.g. precomposed é and e + combining acute). Case, inner white space and compatibility
 * characters (NFKC) are left alone: they can change tokenisation.
 *
 * <p>The key is the hex SHA-256 of {@code namespace + U+0000 + text}, where {@code text} is exactly
 * what is sent to the model: normalised and, for the OpenAI-compatible provider whose over-long
 * inputs the pipeline truncates itself, truncated. So a cached vector is exactly the vector of the
 * text it is keyed by, and changing {@code maxInputTokens} or the token counter gives an over-long
 * text a new key instead of serving the vector of its old truncation. Truncation done by the model
 * itself (Ollama, TEI, the local model) depends only on the model, which the namespace names along
 * with its output settings, so vectors of different models never collide.
 */
final class TextKey {
  private TextKey() {}

  static String normalize(String text) {
    String nfc =
        Normalizer.isNormalized(text, Normalizer.Form.NFC)
            ? text
            : Normalizer.normalize(text, Normalizer.Form.NFC);
    return nfc.strip();
  }

  static String key(String namespace, String sentText) {
    MessageDigest sha = sha256();
    sha.update(namespace.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(sentText.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha.digest());
  }

  static String sha256Hex(String s) {
    return HexFormat.of().formatHex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
