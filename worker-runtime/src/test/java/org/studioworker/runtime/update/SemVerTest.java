package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class SemVerTest {
  @Test
  void readsTheTagItselfFirst() {
    assertThat(SemVer.fromTag("0.4.2")).hasValue(v("0.4.2"));
  }

  @Test
  void dropsALeadingV() {
    assertThat(SemVer.fromTag("v1.2.3")).hasValue(v("1.2.3"));
  }

  @Test
  void readsTheTextAfterTheLastDashV() {
    assertThat(SemVer.fromTag("studio-worker-v0.4.2")).hasValue(v("0.4.2"));
    assertThat(SemVer.fromTag("java-v-studio-worker-v0.5.0-rc.1")).hasValue(v("0.5.0-rc.1"));
  }

  @Test
  void keepsPreReleaseAndDropsBuildMetadata() {
    SemVer version = SemVer.fromTag("v1.0.0-rc.1+build.7").orElseThrow();
    assertThat(version.preRelease()).containsExactly("rc", "1");
    assertThat(version).hasToString("1.0.0-rc.1");
    assertThat(version.isPreRelease()).isTrue();
  }

  @Test
  void refusesWhatIsNotAVersion() {
    for (String tag :
        List.of("latest", "v1.2", "1.2.3.4", "v01.2.3", "studio-worker", "1.0.0-01", "", "v")) {
      assertThat(SemVer.fromTag(tag)).as(tag).isEmpty();
    }
  }

  @Test
  void ordersBySemverPrecedence() {
    List<String> ascending =
        List.of(
            "0.9.9",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.10.0",
            "2.0.0");
    List<SemVer> shuffled = new ArrayList<>(ascending.stream().map(SemverTestSupport::v).toList());
    java.util.Collections.reverse(shuffled);
    shuffled.sort(null);
    assertThat(shuffled).extracting(SemVer::toString).containsExactlyElementsOf(ascending);
  }

  @Test
  void aSnapshotBuildIsOlderThanItsRelease() {
    assertThat(v("0.5.0-SNAPSHOT")).isLessThan(v("0.5.0"));
    assertThat(v("0.5.0-SNAPSHOT")).isGreaterThan(v("0.4.9"));
  }

  private static SemVer v(String text) {
    return SemverTestSupport.v(text);
  }
}
