package org.studioworker.runtime.update;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The Ed25519 public keys whose signatures this worker accepts on an update.
 *
 * <p>The built-in set is the resource {@code trusted-keys.txt} beside this class: one base64 X.509
 * (SubjectPublicKeyInfo) key a line, {@code #} comments. A release build fills in the release key
 * ({@code -Dstudio.update.trustedKey=...}, see docs/update.md) and then trusts it alone; a
 * development build trusts the development key only. Immutable and thread-safe.
 */
final class TrustedKeys {
  private static final String RESOURCE = "trusted-keys.txt";

  private final List<PublicKey> keys;

  /** Whether {@link #keys} holds the development key, whose private half is committed. */
  private final boolean development;

  /** A set that is not the development key's (tests sign with keys of their own). */
  TrustedKeys(List<PublicKey> keys) {
    this(keys, false);
  }

  TrustedKeys(List<PublicKey> keys, boolean development) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted key");
    }
    this.keys = List.copyOf(keys);
    this.development = development;
  }

  /** The keys built into this worker. */
  static TrustedKeys builtIn() {
    try (InputStream in = TrustedKeys.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the built-in update keys are missing from this build");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IllegalStateException("the built-in update keys cannot be read", e);
    }
  }

  /**
   * Parses the resource format: {@code release <base64>} and {@code dev <base64>} lines. When any
   * release key is present only the release keys count; otherwise the development keys do. A
   * release line that is an unfilled build property ({@code ${...}}) is a development build's
   * placeholder and is ignored. The set is a development set when it holds a development key (a
   * release key equal to one counts too).
   */
  static TrustedKeys parse(String text) {
    List<PublicKey> release = new ArrayList<>();
    List<PublicKey> dev = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      if (parts.length != 2 || parts[1].startsWith("${")) {
        continue;
      }
      switch (parts[0]) {
        case "release" -> release.add(publicKey(parts[1]));
        case "dev" -> dev.add(publicKey(parts[1]));
        default -> throw new IllegalArgumentException("unknown key kind " + parts[0]);
      }
    }
    return release.isEmpty()
        ? new TrustedKeys(dev, true)
        : new TrustedKeys(release, release.stream().anyMatch(dev::contains));
  }

  /**
   * Whether this set trusts the development key: anyone can sign for such a build, so it takes
   * updates only from loopback ({@link ReleaseDownload#requireSafeUrl}). {@code
   * Version.isDevelopmentBuild()} answers the same for the built-in set.
   */
  boolean isDevelopment() {
    return development;
  }

  /** An Ed25519 public key from base64 X.509 text. */
  static PublicKey publicKey(String base64) {
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an Ed25519 public key", e);
    }
  }

  /** A verifier per key, fed the same bytes; {@link Check#verify} is true when any key matches. */
  Check start() {
    List<Signature> verifiers = new ArrayList<>();
    for (PublicKey key : keys) {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        verifiers.add(s);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK cannot verify Ed25519", e);
      }
    }
    return new Check(verifiers);
  }

  /** One signature check in progress. Not thread-safe. */
  static final class Check {
    private final List<Signature> verifiers;

    private Check(List<Signature> verifiers) {
      this.verifiers = verifiers;
    }

    /** Feeds signed bytes. */
    void update(byte[] bytes, int offset, int length) {
      for (Signature s : verifiers) {
        try {
          s.update(bytes, offset, length);
        } catch (SignatureException e) {
          throw new IllegalStateException(e);
        }
      }
    }

    /** Whether {@code signature} is valid under any trusted key. */
    boolean verify(byte[] signature) {
      for (Signature s : verifiers) {
        try {
          if (s.verify(signature)) {
            return true;
          }
        } catch (SignatureException e) {
          // A malformed signature is simply not valid under this key.
        }
      }
      return false;
    }
  }
}
