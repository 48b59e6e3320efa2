package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;

final class TrustedKeysTest {
  private final KeyPair release = Builds.keyPair();
  private final KeyPair dev = Builds.keyPair();
  private final byte[] data = "build".getBytes(StandardCharsets.UTF_8);

  @Test
  void aReleaseBuildTrustsTheReleaseKeyAlone() throws Exception {
    TrustedKeys keys = TrustedKeys.parse("release " + encoded(release) + "\ndev " + encoded(dev));
    assertThat(verifies(keys, release)).isTrue();
    assertThat(verifies(keys, dev)).isFalse();
  }

  @Test
  void aDevelopmentBuildWithAnUnfilledReleaseLineTrustsTheDevelopmentKey() throws Exception {
    TrustedKeys keys =
        TrustedKeys.parse(
            "# comment\nrelease ${studio.update.trustedKey}\ndev " + encoded(dev) + "\n");
    assertThat(verifies(keys, dev)).isTrue();
    assertThat(verifies(keys, release)).isFalse();
  }

  @Test
  void theBuiltInSetLoads() {
    assertThat(TrustedKeys.builtIn()).isNotNull();
  }

  @Test
  void aSetIsADevelopmentSetWhenItTrustsADevelopmentKey() {
    String devLine = "dev " + encoded(dev) + "\n";
    assertThat(TrustedKeys.parse("release ${studio.update.trustedKey}\n" + devLine).isDevelopment())
        .isTrue();
    assertThat(TrustedKeys.parse("release " + encoded(release) + "\n" + devLine).isDevelopment())
        .isFalse();
    assertThat(TrustedKeys.parse("release " + encoded(dev) + "\n" + devLine).isDevelopment())
        .as("a release key that is the development key")
        .isTrue();
  }

  @Test
  void theBuildKindThatVersionReportsIsTheBuiltInKeys() {
    assertThat(org.studioworker.runtime.Version.isDevelopmentBuild())
        .isEqualTo(TrustedKeys.builtIn().isDevelopment());
  }

  private boolean verifies(TrustedKeys keys, KeyPair signer) throws Exception {
    TrustedKeys.Check check = keys.start();
    check.update(data, 0, data.length);
    return check.verify(
        ReleaseDownload.parseSignature(
            Builds.sign(signer.getPrivate(), data).getBytes(StandardCharsets.US_ASCII)));
  }

  private static String encoded(KeyPair pair) {
    return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
  }
}
