package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.studioworker.runtime.update.SemverTestSupport.v;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class UpdateFeedTest {
  private static final SemVer CURRENT = v("0.5.0");

  @Test
  void readsAnArrayOfReleases() throws Exception {
    List<Release> releases =
        UpdateFeed.parse(
            "["
                + release("v0.6.0", false, false, true)
                + ","
                + release("v0.5.0", false, false, true)
                + "]");
    assertThat(releases).extracting(Release::tag).containsExactly("v0.6.0", "v0.5.0");
    assertThat(releases.getFirst().assets())
        .extracting(Release.Asset::name)
        .contains("studio-worker-0.6.0-linux-x64.tar.gz");
  }

  @Test
  void readsASingleReleaseObject() throws Exception {
    assertThat(UpdateFeed.parse(release("studio-worker-v0.6.0", false, false, true)))
        .extracting(Release::tag)
        .containsExactly("studio-worker-v0.6.0");
  }

  @Test
  void refusesAFeedThatIsNotJsonOrNotReleases() {
    assertThatThrownBy(() -> UpdateFeed.parse("<html>rate limited</html>"))
        .isInstanceOf(UpdateException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> UpdateFeed.parse("\"v0.6.0\""))
        .isInstanceOf(UpdateException.class)
        .hasMessageContaining("neither");
  }

  @Test
  void refusesAnHtmlPageSayingSo() {
    assertThatThrownBy(() -> UpdateFeed.parse("\n  <!DOCTYPE html><html></html>"))
        .isInstanceOf(UpdateException.class)
        .hasMessage("the update feed is not JSON: it looks like an HTML or XML page");
  }

  @Test
  void refusesAJsonObjectThatIsNotARelease() {
    assertThatThrownBy(() -> UpdateFeed.parse("{\"message\":\"Not Found\"}"))
        .isInstanceOf(UpdateException.class)
        .hasMessage("the update feed is not a release: a JSON object without a tag_name");
  }

  @Test
  void refusesAnArrayWithoutASingleRelease() {
    assertThatThrownBy(() -> UpdateFeed.parse("[1, {\"name\": \"x\"}]"))
        .isInstanceOf(UpdateException.class)
        .hasMessage(
            "the update feed is not a list of releases: none of its 2 entries has a tag_name");
  }

  @Test
  void anEmptyArrayIsAFeedWithoutReleases() throws Exception {
    assertThat(UpdateFeed.parse("[]")).isEmpty();
  }

  @Test
  void skipsAnEntryWithoutATagBesideARelease() throws Exception {
    assertThat(UpdateFeed.parse("[{\"name\":\"x\"}," + release("v0.6.0", false, false, true) + "]"))
        .extracting(Release::tag)
        .containsExactly("v0.6.0");
  }

  @Test
  void picksTheNewestReleaseThatCarriesOurBuild() throws Exception {
    FeedChoice choice =
        choose(
            false,
            release("v0.5.1", false, false, true),
            release("v0.7.0", false, false, true),
            release("v0.6.0", false, false, true));
    assertThat(choice).isInstanceOf(FeedChoice.Available.class);
    FeedChoice.Available available = (FeedChoice.Available) choice;
    assertThat(available.target()).isEqualTo(v("0.7.0"));
    assertThat(available.asset().url())
        .hasToString("https://example.test/v0.7.0/studio-worker-0.7.0-linux-x64.tar.gz");
  }

  @Test
  void aReleaseWithoutOurBuildIsNeverInstalled() throws Exception {
    FeedChoice choice = choose(false, release("v0.6.0", false, false, false));
    assertThat(choice)
        .isEqualTo(new FeedChoice.UpToDate(CURRENT, "no Java build in release 0.6.0"));
  }

  @Test
  void fallsBackToAnOlderNewerReleaseWhenTheNewestHasNoJavaBuild() throws Exception {
    FeedChoice choice =
        choose(
            false, release("v0.7.0", false, false, false), release("v0.6.0", false, false, true));
    assertThat(((FeedChoice.Available) choice).target()).isEqualTo(v("0.6.0"));
  }

  @Test
  void skipsDrafts() throws Exception {
    assertThat(choose(true, release("v0.6.0", false, true, true)))
        .isEqualTo(new FeedChoice.UpToDate(CURRENT, "no newer release"));
  }

  @Test
  void takesPrereleasesOnlyWhenOptedIn() throws Exception {
    String flagged = release("v0.6.0-rc.1", true, false, true);
    String unflagged = release("v0.6.1-beta", false, false, true);
    assertThat(choose(false, flagged, unflagged)).isInstanceOf(FeedChoice.UpToDate.class);
    FeedChoice optedIn = choose(true, flagged, unflagged);
    assertThat(((FeedChoice.Available) optedIn).target()).isEqualTo(v("0.6.1-beta"));
  }

  @Test
  void skipsATagThatIsNotAVersion() throws Exception {
    FeedChoice choice =
        choose(
            false, release("nightly", false, false, true), release("v0.6.0", false, false, true));
    assertThat(((FeedChoice.Available) choice).target()).isEqualTo(v("0.6.0"));
  }

  @Test
  void isUpToDateOnTheSameOrAnOlderVersion() throws Exception {
    assertThat(
            choose(
                false,
                release("v0.5.0", false, false, true),
                release("v0.4.2", false, false, true)))
        .isEqualTo(new FeedChoice.UpToDate(CURRENT, "no newer release"));
  }

  @Test
  void neverOffersAVersionThatWasRolledBackHereUntilANewerOneAppears() throws Exception {
    List<Release> onlyRefused = UpdateFeed.parse("[" + release("v0.6.0", false, false, true) + "]");
    assertThat(UpdateFeed.choose(onlyRefused, CURRENT, false, Set.of(v("0.6.0"))))
        .isEqualTo(new FeedChoice.UpToDate(CURRENT, "0.6.0 was rolled back here"));
    List<Release> newer =
        UpdateFeed.parse(
            "["
                + release("v0.6.0", false, false, true)
                + ","
                + release("v0.6.1", false, false, true)
                + "]");
    FeedChoice choice = UpdateFeed.choose(newer, CURRENT, false, Set.of(v("0.6.0")));
    assertThat(((FeedChoice.Available) choice).target()).isEqualTo(v("0.6.1"));
  }

  @Test
  void ignoresAssetsWithoutANameOrUrl() throws Exception {
    List<Release> releases =
        UpdateFeed.parse(
            """
            {"tag_name":"v0.6.0","assets":[{"name":"x"},{"browser_download_url":"https://a/b"},
             {"name":"studio-worker-0.6.0-linux-x64.tar.gz","browser_download_url":"https://a/c"}]}
            """);
    assertThat(releases.getFirst().assets()).hasSize(1);
  }

  private static FeedChoice choose(boolean prereleases, String... releases) throws Exception {
    return UpdateFeed.choose(
        UpdateFeed.parse("[" + String.join(",", releases) + "]"), CURRENT, prereleases, Set.of());
  }

  /** A GitHub-shaped release; with our build it also carries the Rust worker's asset. */
  private static String release(String tag, boolean prerelease, boolean draft, boolean javaBuild) {
    String version = SemVer.fromTag(tag).map(SemVer::toString).orElse("0.0.0");
    String base = "https://example.test/" + tag + "/";
    String assets =
        "{\"name\":\"studio-worker-x86_64-unknown-linux-gnu.tar.gz\",\"browser_download_url\":\""
            + base
            + "rust.tar.gz\"}";
    if (javaBuild) {
      String name = "studio-worker-" + version + "-linux-x64.tar.gz";
      assets += ",{\"name\":\"" + name + "\",\"browser_download_url\":\"" + base + name + "\"}";
    }
    return "{\"tag_name\":\""
        + tag
        + "\",\"prerelease\":"
        + prerelease
        + ",\"draft\":"
        + draft
        + ",\"assets\":["
        + assets
        + "]}";
  }
}
