package org.studioworker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class VersionTest {
  private static final String DEV_KEY =
      "MCowBQYDK2VwAyEADZ93epPLLjYKak6BEll9DyIjE7tpTf9q/AveLlMgZkw=";
  private static final String OTHER_KEY =
      "MCowBQYDK2VwAyEAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=";

  @Test
  void aBuildWithoutAFilledInReleaseKeyIsADevelopmentBuild() {
    assertThat(Version.trustsDevelopmentKey("release ${studio.update.trustedKey}\ndev " + DEV_KEY))
        .isTrue();
    assertThat(Version.trustsDevelopmentKey("release \ndev " + DEV_KEY)).isTrue();
    assertThat(Version.trustsDevelopmentKey("# release " + OTHER_KEY + "\ndev " + DEV_KEY))
        .isTrue();
  }

  @Test
  void aBuildWithItsOwnReleaseKeyIsAReleaseBuild() {
    assertThat(Version.trustsDevelopmentKey("release " + OTHER_KEY + "\ndev " + DEV_KEY)).isFalse();
  }

  @Test
  void aReleaseKeyThatIsTheDevelopmentKeyIsStillADevelopmentBuild() {
    assertThat(Version.trustsDevelopmentKey("release " + DEV_KEY + "\ndev " + DEV_KEY)).isTrue();
  }

  @Test
  void theDescriptionNamesTheBuildKind() {
    // A plain `./mvnw verify` is a development build; a release build run with the release key
    // passes too.
    if (Version.isDevelopmentBuild()) {
      assertThat(Version.describe()).isEqualTo(Version.current() + " (development build)");
      assertThat(Version.buildNote()).startsWith("development build: ").contains("loopback");
    } else {
      assertThat(Version.describe()).isEqualTo(Version.current() + " (release build)");
      assertThat(Version.buildNote()).isEqualTo("release build");
    }
  }
}
