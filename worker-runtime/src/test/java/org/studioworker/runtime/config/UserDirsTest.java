package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config path and {@code ~} come from the environment, not from the passwd entry. */
final class UserDirsTest {
  private static final Path PASSWD_HOME = Path.of(System.getProperty("user.home"));

  @Test
  void absoluteXdgConfigHomeWins() {
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", "/srv/xdg", "HOME", "/home/w");

    assertThat(ConfigStore.defaultPath(env))
        .isEqualTo(Path.of("/srv/xdg/minis-studio-worker/config.toml"));
  }

  @Test
  void relativeXdgConfigHomeIsIgnoredAsTheSpecSays() {
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", "relative/xdg", "HOME", "/home/w");

    assertThat(ConfigStore.defaultPath(env))
        .isEqualTo(Path.of("/home/w/.config/minis-studio-worker/config.toml"));
  }

  @Test
  void emptyXdgConfigHomeFallsBackToHome() {
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", "", "HOME", "/home/w");

    assertThat(ConfigStore.defaultPath(env))
        .isEqualTo(Path.of("/home/w/.config/minis-studio-worker/config.toml"));
  }

  @Test
  void homeFromTheEnvironmentWinsOverThePasswdEntry() {
    // A container with an arbitrary UID: the passwd entry (user.home) is /nonexistent or absent.
    Map<String, String> env = Map.of("HOME", "/tmp/worker-home");

    assertThat(ConfigStore.defaultPath(env))
        .isEqualTo(Path.of("/tmp/worker-home/.config/minis-studio-worker/config.toml"));
  }

  @Test
  void withoutHomeThePasswdEntryIsTheLastResort() {
    assertThat(ConfigStore.defaultPath(Map.of()))
        .isEqualTo(PASSWD_HOME.resolve(".config/minis-studio-worker/config.toml"));
    assertThat(ConfigStore.defaultPath(Map.of("HOME", "")))
        .isEqualTo(PASSWD_HOME.resolve(".config/minis-studio-worker/config.toml"));
  }

  @Test
  void tildeInModelsRootExpandsFromHomeInTheEnvironment() {
    Map<String, String> env = Map.of("HOME", "/tmp/worker-home");
    WorkerConfig config = WorkerConfig.defaults();

    assertThat(config.modelsRootPath(env)).isEqualTo(Path.of("/tmp/worker-home/models"));
    assertThat(config.withModelsRoot("~").modelsRootPath(env))
        .isEqualTo(Path.of("/tmp/worker-home"));
    assertThat(config.withModelsRoot("~/a/b").modelsRootPath(env))
        .isEqualTo(Path.of("/tmp/worker-home/a/b"));
  }

  @Test
  void modelsRootWithoutTildeIsTakenAsWritten() {
    Map<String, String> env = Map.of("HOME", "/tmp/worker-home");

    assertThat(WorkerConfig.defaults().withModelsRoot("/srv/models").modelsRootPath(env))
        .isEqualTo(Path.of("/srv/models"));
    assertThat(WorkerConfig.defaults().withModelsRoot("~other/models").modelsRootPath(env))
        .isEqualTo(Path.of("~other/models"));
  }

  @Test
  void tildeWithoutHomeExpandsToThePasswdEntry() {
    assertThat(WorkerConfig.defaults().modelsRootPath(Map.of()))
        .isEqualTo(PASSWD_HOME.resolve("models"));
  }
}
