package org.studioworker.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.daemon.ChildWorker;
import org.studioworker.runtime.daemon.WorkerHarness;

/**
 * Plugins that call restricted methods (JEP 472), each case in a JVM of its own: whether a module
 * has native access is fixed per JVM by its flags. Every child runs under {@code
 * --illegal-native-access=deny}, where a restricted call without native access throws instead of
 * warning.
 */
final class PluginNativeAccessTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String DENY = "--illegal-native-access=deny";

  @TempDir Path dir;

  @Test
  void aPluginThatAsksForNativeAccessCallsNativeCodeWithoutAWarning() throws Exception {
    Path plugins = pluginsFolder(PluginJars.nativeAccess());

    Child child = load(plugins, DENY, "--enable-native-access=org.studioworker.runtime");

    assertThat(child.exit()).as(child.describe()).isZero();
    assertThat(child.stdout())
        .as(child.describe())
        .contains("plugin pid.jar (module com.example.pid) may call native code")
        .contains("loaded pid")
        // getpid() through the FFM linker, in the plugin, answered the child's own pid.
        .contains("serves {llm=[pid-" + child.pid() + "]}")
        .doesNotContain("create failed");
    assertThat(child.stderr()).as(child.describe()).doesNotContain("restricted");
    assertThat(child.stdout()).as(child.describe()).doesNotContain("restricted");
  }

  @Test
  void aPluginThatDoesNotAskIsDeniedByTheJdk() throws Exception {
    Path plugins = pluginsFolder(Map.of());

    Child child = load(plugins, DENY, "--enable-native-access=org.studioworker.runtime");

    assertThat(child.exit()).as(child.describe()).isZero();
    assertThat(child.stdout())
        .as(child.describe())
        .contains("loaded pid")
        .contains("create failed: java.lang.IllegalCallerException")
        .contains("com.example.pid")
        .doesNotContain("may call native code");
  }

  @Test
  void withoutNativeAccessForTheRuntimeTheWorkerNamesTheFlagAndStillStarts() throws Exception {
    Path plugins = pluginsFolder(PluginJars.nativeAccess());

    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      Path log = dir.resolve("worker.log");
      Process process =
          ChildWorker.startWithJvmOptions(
              List.of(DENY, "--enable-native-access=org.studioworker.gpu"),
              List.of(),
              Map.of(),
              log,
              "--config",
              config.toString(),
              "run",
              "--plugins",
              plugins.toString());
      try {
        studio.awaitConnected(worker.workerId(), WAIT);

        String output = Files.readString(log);
        assertThat(output)
            .contains("plugin pid.jar (module com.example.pid) asks for native access")
            .contains("--enable-native-access=org.studioworker.runtime")
            .contains("engine pid is not available")
            .doesNotContain("may call native code");
        // The config dir's plugins folder, given again with --plugins, is loaded once.
        assertThat(output.split("asks for native access", -1)).hasSize(2);
      } finally {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
        process.destroyForcibly();
      }
    }
  }

  /** A folder holding {@code pid.jar}, the native plugin, with these manifest attributes. */
  private Path pluginsFolder(Map<String, String> manifest) throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.build(
        dir, plugins.resolve("pid.jar"), spiJar(), PluginJars.nativePlugin(), manifest);
    return plugins;
  }

  private static Path spiJar() throws Exception {
    return ChildWorker.runtimeModulePath().stream()
        .filter(p -> p.toString().contains("worker-spi"))
        .findFirst()
        .orElseThrow();
  }

  private record Child(long pid, int exit, String stdout, String stderr) {
    String describe() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /** Runs {@link LoadPluginsMain} on the runtime's module path with these JVM flags. */
  private Child load(Path plugins, String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.add("--module-path");
    command.add(
        String.join(
            File.pathSeparator,
            ChildWorker.runtimeModulePath().stream().map(Path::toString).toList()));
    // The entry point lives with the tests: patched into the runtime module.
    command.add("--patch-module");
    command.add("org.studioworker.runtime=" + Path.of("target", "test-classes").toAbsolutePath());
    command.add("-m");
    command.add("org.studioworker.runtime/" + LoadPluginsMain.class.getName());
    command.add(plugins.toString());
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the child JVM did not exit within 60 s");
    }
    return new Child(
        process.pid(), process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
