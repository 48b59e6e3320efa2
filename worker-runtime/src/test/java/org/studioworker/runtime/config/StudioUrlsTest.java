package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class StudioUrlsTest {
  @ParameterizedTest
  @CsvSource({
    "https://studio.minis.gg/, https://studio.minis.gg/graphics/api",
    "https://studio.minis.gg, https://studio.minis.gg/graphics/api",
    "https://studio.minis.gg/graphics/api/, https://studio.minis.gg/graphics/api",
    "https://host/studio/graphics/api?x=1#frag, https://host/studio/graphics/api",
    "http://127.0.0.1:8787/studio//, http://127.0.0.1:8787/studio/graphics/api",
    "wss://host:9/, wss://host:9/graphics/api",
  })
  void normalisesAsTheContractSays(String input, String expected) throws Exception {
    assertThat(StudioUrls.normalise(input)).isEqualTo(URI.create(expected));
  }

  @Test
  void connectUrlSwitchesToWebSocketSchemes() throws Exception {
    assertThat(StudioUrls.connect(StudioUrls.normalise("https://h/s/"), "w-1"))
        .isEqualTo(URI.create("wss://h/s/graphics/api/workers/w-1/connect"));
    assertThat(StudioUrls.connect(StudioUrls.normalise("http://h:1"), "w 1"))
        .isEqualTo(URI.create("ws://h:1/graphics/api/workers/w%201/connect"));
    assertThat(StudioUrls.complete(StudioUrls.normalise("ws://h:1"), "w", "j"))
        .isEqualTo(URI.create("http://h:1/graphics/api/workers/w/jobs/j/complete"));
  }

  @ParameterizedTest
  @CsvSource({
    "https://Studio.Minis.GG/, https://studio.minis.gg",
    "https://studio.minis.gg:443/x/graphics/api, https://studio.minis.gg",
    "wss://studio.minis.gg/, https://studio.minis.gg",
    "http://user:pw@127.0.0.1:8787/studio/, http://127.0.0.1:8787",
    "ws://127.0.0.1:80, http://127.0.0.1",
    "https://[::1]:8443/, https://[::1]:8443",
  })
  void originIsSchemeHostAndPortWithoutUserInfo(String input, String expected) throws Exception {
    assertThat(StudioUrls.origin(StudioUrls.normalise(input))).isEqualTo(expected);
  }

  @Test
  void otherSchemesAreAConfigurationError() {
    assertThatThrownBy(() -> StudioUrls.normalise("ftp://host/"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ftp");
    assertThatThrownBy(() -> StudioUrls.normalise("not a url")).isInstanceOf(ConfigException.class);
  }
}
