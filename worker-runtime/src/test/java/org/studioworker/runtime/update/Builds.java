package org.studioworker.runtime.update;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writes small {@code .tar.gz} builds (ustar) and signs them, for the update tests. */
final class Builds {
  private Builds() {}

  /** One archive entry: a file when {@code body} is non-null, else a folder. */
  record Entry(String name, int mode, byte[] body) {}

  /** A fresh Ed25519 key pair. */
  static KeyPair keyPair() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The base64 signature text of a {@code .sig} file. */
  static String sign(PrivateKey key, byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(data);
      return Base64.getEncoder().encodeToString(s.sign()) + "\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code sha256sum} output for {@code data}. */
  static String sha256Line(byte[] data, String name) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data))
          + "  "
          + name
          + "\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A minimal build of {@code version}: an executable {@code bin/studio-worker} and a jar. */
  static byte[] build(String version) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("studio-worker-" + version + "/", new byte[0]);
    files.put(
        "studio-worker-" + version + "/bin/studio-worker",
        ("#!/bin/sh\necho " + version + "\n").getBytes(StandardCharsets.UTF_8));
    files.put(
        "studio-worker-" + version + "/lib/worker.jar", version.getBytes(StandardCharsets.UTF_8));
    return tarGz(
        files.entrySet().stream()
            .map(
                e ->
                    new Entry(
                        e.getKey(),
                        e.getKey().endsWith("/studio-worker") ? 0755 : 0644,
                        e.getValue()))
            .toList());
  }

  /** A gzipped ustar archive of {@code entries}; names ending in {@code /} are folders. */
  static byte[] tarGz(Iterable<Entry> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      for (Entry entry : entries) {
        boolean dir = entry.name().endsWith("/");
        byte[] body = dir ? new byte[0] : entry.body();
        gz.write(header(entry.name(), entry.mode(), body.length, dir ? '5' : '0'));
        gz.write(body);
        gz.write(new byte[(512 - body.length % 512) % 512]);
      }
      gz.write(new byte[1024]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] header(String name, int mode, long size, char type) {
    byte[] h = new byte[512];
    put(h, 0, name, 100);
    put(h, 100, String.format("%07o", mode), 8);
    put(h, 108, "0000000", 8);
    put(h, 116, "0000000", 8);
    put(h, 124, String.format("%011o", size), 12);
    put(h, 136, "00000000000", 12);
    h[156] = (byte) type;
    put(h, 257, "ustar", 6);
    put(h, 263, "00", 2);
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum), 7);
    return h;
  }

  private static void put(byte[] h, int offset, String text, int max) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, offset, Math.min(b.length, max));
  }
}
