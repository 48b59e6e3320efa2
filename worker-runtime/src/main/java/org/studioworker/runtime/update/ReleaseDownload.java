package org.studioworker.runtime.update;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.net.BodyStream;

/**
 * Downloads one release build and proves it genuine before anything unpacks it.
 *
 * <p>In order: the URL must be https (plain http only on loopback, for tests; a development build
 * accepts loopback only); the {@code <asset>.sha256} sidecar, when it exists, must parse (first
 * token of the first non-empty line, 64 hex) or the update is refused; the {@code <asset>.sig}
 * detached Ed25519 signature must exist; the body must be exactly its {@code Content-Length} (at
 * most {@link #MAX_BYTES}), hashed with SHA-256 while it streams, with no gap longer than the idle
 * deadline and within the download deadline ({@link Deadlines}); then the hash must match the
 * sidecar and the signature must verify under a {@link TrustedKeys trusted key}. A file that fails
 * any check is deleted.
 *
 * <p>The sidecar and the signature are small exchanges ({@link UpdateHttp#small}): bounded in time
 * and size, and their bodies are not read unless the answer is 200.
 *
 * <p>Blocks the calling thread; an interrupt stops it. Thread-safe (no state of its own).
 */
final class ReleaseDownload {
  /**
   * Why 512 MiB? A build is a runtime image plus jars, about 50 MB; ten times that is a mistake.
   */
  static final long MAX_BYTES = 512L << 20;

  /** Sidecars are one line; anything longer is not a sidecar. */
  private static final int MAX_SIDECAR_BYTES = 4096;

  private final UpdateHttp http;
  private final TrustedKeys keys;

  /** A downloader whose exchanges are bounded by {@code http}'s deadlines. */
  ReleaseDownload(UpdateHttp http, TrustedKeys keys) {
    this.http = http;
    this.keys = keys;
  }

  /** Whether the keys are the development key's: downloads then come from loopback only. */
  boolean isDevelopment() {
    return keys.isDevelopment();
  }

  /**
   * Downloads {@code asset} into {@code dir} and verifies it.
   *
   * @return the verified file
   * @throws UpdateException when the build is refused (the message says why)
   */
  Path fetch(URI asset, Path dir) throws UpdateException, InterruptedException {
    requireSafeUrl(asset, "a download", keys.isDevelopment());
    Optional<String> expectedSha = sidecarSha256(asset);
    byte[] signature = signature(asset);
    Path file;
    try {
      Files.createDirectories(dir);
      file = Files.createTempFile(dir, "download-", ".tar.gz");
    } catch (IOException e) {
      throw new UpdateException("cannot write the download: " + e.getMessage(), e);
    }
    boolean verified = false;
    try {
      TrustedKeys.Check check = keys.start();
      String sha = stream(asset, file, check);
      if (expectedSha.isPresent() && !expectedSha.get().equals(sha)) {
        throw new UpdateException(
            "the download does not match its .sha256 sidecar (got " + sha + ")");
      }
      if (!check.verify(signature)) {
        throw new UpdateException("the download's signature is not valid under a trusted key");
      }
      verified = true;
      return file;
    } finally {
      if (!verified) {
        deleteQuietly(file);
      }
    }
  }

  /**
   * Refuses anything but https, and plain http to anything but loopback; for a {@code development}
   * build (one that trusts the committed development key, {@link TrustedKeys#isDevelopment}),
   * anything but loopback.
   *
   * @param what what the URL is, for the message ({@code the update feed}, {@code a download})
   */
  static void requireSafeUrl(URI url, String what, boolean development) throws UpdateException {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    boolean web = scheme.equals("https") || scheme.equals("http");
    boolean loopback = web && url.getHost() != null && isLoopback(url.getHost());
    if (development && !loopback) {
      throw new UpdateException(
          "refusing "
              + what
              + " that is not on loopback: "
              + UpdateHttp.shown(url)
              + "; this is a development build, which trusts the development update key"
              + " committed with the source, so it takes updates only from 127.0.0.1, [::1] or"
              + " localhost (deploy a release build: docs/update.md)");
    }
    if (scheme.equals("https") && url.getHost() != null) {
      return;
    }
    if (scheme.equals("http") && loopback) {
      return;
    }
    throw new UpdateException("refusing " + what + " that is not https: " + UpdateHttp.shown(url));
  }

  private static boolean isLoopback(String host) {
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (bare.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Only literal addresses: a name is never resolved to decide whether it is safe.
    if (!bare.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      return false;
    }
    try {
      return InetAddress.getByName(bare).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private String stream(URI asset, Path file, TrustedKeys.Check check)
      throws UpdateException, InterruptedException {
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = http.stream(asset, "the build");
    long length;
    try {
      length = declaredLength(asset, response);
    } catch (UpdateException e) {
      UpdateHttp.discard(response);
      throw e;
    }
    Deadlines deadlines = http.deadlines();
    long started = System.nanoTime();
    MessageDigest sha = sha256();
    // The cap is the declared length: a body that runs past it fails at its first extra byte.
    try (BodyStream in = BodyStream.of(response.body(), deadlines.idle(), length);
        OutputStream out = Files.newOutputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha.update(buffer, 0, n);
        check.update(buffer, 0, n);
        out.write(buffer, 0, n);
        if (Thread.interrupted()) {
          throw new InterruptedException("download stopped");
        }
        if (System.nanoTime() - started > deadlines.download().toNanos()) {
          throw new UpdateException(
              "the download took longer than "
                  + Deadlines.shown(deadlines.download())
                  + "; stopped after "
                  + in.bytesRead()
                  + " of "
                  + length
                  + " bytes");
        }
      }
      if (in.bytesRead() != length) {
        throw new UpdateException(
            "the download ended after " + in.bytesRead() + " of " + length + " bytes");
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (BodyStream.StalledException e) {
      throw new UpdateException(
          "the download stalled: no data for " + Deadlines.shown(deadlines.idle()), e);
    } catch (BodyStream.TooLargeException e) {
      throw new UpdateException("the download is longer than its Content-Length", e);
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedException("download stopped");
    } catch (IOException e) {
      throw new UpdateException("the download failed: " + e.getMessage(), e);
    }
  }

  /** The build's Content-Length, which must be there and at most {@link #MAX_BYTES}. */
  private static long declaredLength(
      URI asset, HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) throws UpdateException {
    if (response.statusCode() != 200) {
      throw new UpdateException(
          "the download answered HTTP "
              + response.statusCode()
              + " for "
              + UpdateHttp.shown(asset));
    }
    OptionalLong declared = response.headers().firstValueAsLong("Content-Length");
    if (declared.isEmpty()) {
      throw new UpdateException("the download has no Content-Length; refusing it");
    }
    long length = declared.getAsLong();
    if (length <= 0 || length > MAX_BYTES) {
      throw new UpdateException("the download declares " + length + " bytes; refusing it");
    }
    return length;
  }

  /** The sidecar's hash, empty when there is no sidecar (404). */
  private Optional<String> sidecarSha256(URI asset) throws UpdateException, InterruptedException {
    byte @Nullable [] body = sidecar(URI.create(asset + ".sha256"), "the .sha256 sidecar");
    if (body == null) {
      return Optional.empty();
    }
    return Optional.of(parseSha256(new String(body, StandardCharsets.UTF_8)));
  }

  /**
   * The first token of the first non-empty line, which must be 64 hex digits ({@code sha256sum}
   * output).
   */
  static String parseSha256(String text) throws UpdateException {
    for (String line : text.split("\\R")) {
      String stripped = line.strip();
      if (stripped.isEmpty()) {
        continue;
      }
      String token = stripped.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
      if (token.length() == 64 && token.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        return token;
      }
      break;
    }
    throw new UpdateException("the .sha256 sidecar exists but does not hold a SHA-256; refusing");
  }

  private byte[] signature(URI asset) throws UpdateException, InterruptedException {
    byte @Nullable [] body = sidecar(URI.create(asset + ".sig"), "the .sig signature");
    if (body == null) {
      throw new UpdateException("the build is not signed (no .sig); refusing it");
    }
    return parseSignature(body);
  }

  /** A detached Ed25519 signature: 64 raw bytes, or their base64 on one line. */
  static byte[] parseSignature(byte[] body) throws UpdateException {
    if (body.length == 64) {
      return body;
    }
    try {
      byte[] decoded =
          Base64.getDecoder().decode(new String(body, StandardCharsets.US_ASCII).strip());
      if (decoded.length == 64) {
        return decoded;
      }
    } catch (IllegalArgumentException e) {
      // Falls through to the refusal.
    }
    throw new UpdateException("the .sig file is not an Ed25519 signature; refusing");
  }

  /** A small sidecar's bytes, or null when it does not exist (404). */
  private byte @Nullable [] sidecar(URI url, String what)
      throws UpdateException, InterruptedException {
    UpdateHttp.Reply reply = http.small(url, what, "*/*", MAX_SIDECAR_BYTES);
    if (reply.status() == 404) {
      return null;
    }
    if (reply.status() != 200) {
      throw new UpdateException("HTTP " + reply.status() + " for " + UpdateHttp.shown(url));
    }
    return reply.body();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A stray download in the staging folder is removed with the folder.
    }
  }
}
