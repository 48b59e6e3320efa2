package org.studioworker.spi.net;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;
import org.studioworker.spi.ExecutorException;

/**
 * Inline {@code data:} URLs (RFC 2397: {@code data:[<mediatype>][;base64],<data>}), decoded here
 * with no network: base64 (percent-escapes and ASCII whitespace in it allowed, padding optional) or
 * percent-encoded bytes.
 *
 * <p>Messages never carry the data, which may be large or private: a data URL is shown as {@code
 * data:<type>/<subtype>,…}. Stateless; thread-safe.
 */
final class DataUrl {
  /** A media type's {@code type/subtype}: RFC 2045 tokens. */
  private static final Pattern TYPE =
      Pattern.compile("[A-Za-z0-9!#$&^_.+\\-]{1,64}/[A-Za-z0-9!#$&^_.+\\-]{1,64}");

  /** A parameter, {@code attribute=value}; the value a token or a quoted string. */
  private static final Pattern PARAMETER =
      Pattern.compile(
          "[A-Za-z0-9!#$&^_.+\\-]{1,64}=([A-Za-z0-9!#$&^_.+\\-%]{0,256}|\"[^\"]{0,256}\")");

  /** Why 1 KiB? A media type with a charset is tens of characters; more is not an image's. */
  private static final int MAX_META_CHARS = 1024;

  private DataUrl() {}

  /** Whether {@code url} is a data URL (its scheme is {@code data}, in any case). */
  static boolean is(String url) {
    return url.regionMatches(true, 0, "data:", 0, 5);
  }

  /**
   * The URL as messages show it: {@code data:<type>/<subtype>,…}, or {@code data:,…} when it names
   * no type (or one that is not a plain token pair).
   */
  static String shown(String url) {
    int comma = url.indexOf(',');
    String meta = comma < 0 ? url.substring(5) : url.substring(5, comma);
    int semicolon = meta.indexOf(';');
    String type = semicolon < 0 ? meta : meta.substring(0, semicolon);
    return "data:" + (TYPE.matcher(type).matches() ? type.toLowerCase(Locale.ROOT) : "") + ",…";
  }

  /**
   * The bytes of a data URL.
   *
   * @param what what the input is for, for messages
   * @param url a URL for which {@link #is} holds
   * @param maxBytes the most decoded bytes accepted
   * @throws ExecutorException when the URL is malformed, or its data (decoded, or already as
   *     encoded) is larger than {@code maxBytes}
   */
  static byte[] decode(String what, String url, long maxBytes) throws ExecutorException {
    int comma = url.indexOf(',');
    if (comma < 0 || comma - 5 > MAX_META_CHARS) {
      throw invalid(what);
    }
    String[] meta = url.substring(5, comma).split(";", -1);
    boolean base64 = meta.length > 1 && meta[meta.length - 1].equalsIgnoreCase("base64");
    int parameters = base64 ? meta.length - 1 : meta.length;
    if (!meta[0].isEmpty() && !TYPE.matcher(meta[0]).matches()) {
      throw invalid(what);
    }
    for (int i = 1; i < parameters; i++) {
      if (!PARAMETER.matcher(meta[i]).matches()) {
        throw invalid(what);
      }
    }
    long encoded = url.length() - (comma + 1L);
    // The fewest bytes the data can decode to, before decoding it: 3 for every 4 base64
    // characters, less the padding (an escape, %2B, spells one character in three), and 1 for
    // every 3 percent-encoded characters. Whitespace in base64 counts as data here.
    long least;
    if (base64) {
      long characters = url.indexOf('%', comma) < 0 ? encoded : encoded / 3;
      least = characters / 4 * 3 - 2;
    } else {
      least = (encoded + 2) / 3;
    }
    if (least > maxBytes) {
      throw tooLarge(what, url, maxBytes);
    }
    byte[] bytes;
    if (base64) {
      String text = url.substring(comma + 1);
      if (text.indexOf('%') >= 0) {
        text = new String(percentDecoded(what, text), StandardCharsets.ISO_8859_1);
      }
      StringBuilder alphabet = new StringBuilder(text.length());
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
          alphabet.append(c);
        }
      }
      try {
        bytes = Base64.getDecoder().decode(alphabet.toString());
      } catch (IllegalArgumentException e) {
        throw invalid(what);
      }
    } else {
      bytes = percentDecoded(what, url.substring(comma + 1));
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(what, url, maxBytes);
    }
    return bytes;
  }

  /** The bytes of percent-encoded text: {@code %XX} is one byte, any other character its UTF-8. */
  private static byte[] percentDecoded(String what, String text) throws ExecutorException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          throw invalid(what);
        }
        int high = Character.digit(text.charAt(i + 1), 16);
        int low = Character.digit(text.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw invalid(what);
        }
        out.write(high << 4 | low);
        i += 3;
      } else if (c < 0x80) {
        out.write(c);
        i++;
      } else {
        int codePoint = text.codePointAt(i);
        byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
        i += Character.charCount(codePoint);
      }
    }
    return out.toByteArray();
  }

  private static ExecutorException invalid(String what) {
    return new ExecutorException(what + " is not a valid data: URL");
  }

  private static ExecutorException tooLarge(String what, String url, long maxBytes) {
    return new ExecutorException(
        what + " " + shown(url) + " is larger than the limit of " + (maxBytes >> 10) + " KiB");
  }
}
