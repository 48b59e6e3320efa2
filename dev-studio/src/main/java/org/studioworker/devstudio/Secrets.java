package org.studioworker.devstudio;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Ids, tokens and hashes: SHA-256 of secrets, constant-time comparison, random ids.
 *
 * <p>Thread-safe. Nothing here logs or keeps a secret.
 */
final class Secrets {
  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** SHA-256 of the UTF-8 bytes of a secret. */
  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** SHA-256 of a secret as 64 lowercase hex characters, as the registration request carries it. */
  static String sha256Hex(String secret) {
    return HEX.formatHex(sha256(secret));
  }

  /** Whether the text is 64 lowercase hex characters. */
  static boolean isSha256Hex(String text) {
    return SHA256_HEX.matcher(text).matches();
  }

  /** The bytes of a hash given as 64 lowercase hex characters. */
  static byte[] parseSha256Hex(String text) {
    if (!isSha256Hex(text)) {
      throw new IllegalArgumentException("not a SHA-256 hex digest");
    }
    return HEX.parseHex(text);
  }

  /** Whether the raw secret hashes to the stored hash, compared in constant time. */
  static boolean matches(@Nullable String rawSecret, byte[] storedHash) {
    if (rawSecret == null) {
      return false;
    }
    return MessageDigest.isEqual(sha256(rawSecret), storedHash);
  }

  /** {@code bytes} random bytes from a CSPRNG, as lowercase hex. */
  static String randomHex(int bytes) {
    byte[] out = new byte[bytes];
    RANDOM.nextBytes(out);
    return HEX.formatHex(out);
  }

  /** A fresh session token: 32 random bytes, 64 hex characters. */
  static String newToken() {
    return randomHex(32);
  }

  /** A fresh id with a prefix and 64 random bits ({@code rr-1f2e…}). */
  static String newId(String prefix) {
    return prefix + randomHex(8);
  }

  /**
   * The credential of an {@code Authorization: Bearer <credential>} header, or null when the header
   * is missing or of another scheme.
   */
  static @Nullable String bearer(@Nullable String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.strip();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String credential = value.substring(7).strip();
    return credential.isEmpty() ? null : credential;
  }
}
