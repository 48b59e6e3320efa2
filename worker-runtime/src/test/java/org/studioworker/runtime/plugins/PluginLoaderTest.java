package org.studioworker.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.daemon.ChildWorker;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

final class PluginLoaderTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void pluginJarBuiltFromSourceRunsAJobEndToEndAndBadJarsAreSkipped() throws Exception {
    Path spi =
        ChildWorker.runtimeModulePath().stream()
            .filter(p -> p.toString().contains("worker-spi"))
            .findFirst()
            .orElseThrow();
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.build(dir, plugins.resolve("echo.jar"), spi, PluginJars.echoPlugin());
    Files.write(plugins.resolve("broken.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, 9});
    PluginJars.build(
        dir,
        plugins.resolve("no-module.jar"),
        spi,
        Map.of("com/example/plain/Plain.java", "package com.example.plain; public class Plain {}"));

    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      Path log = dir.resolve("worker.log");
      Process process =
          ChildWorker.start(
              List.of(),
              log,
              "--config",
              config.toString(),
              "run",
              "--plugins",
              plugins.toString());
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        ModelSource echo =
            new ModelSource(new EngineId("echo"), List.of(), CliDefaults.of(1, 1, 64, 64));
        String jobId =
            studio.submitJob(
                "echo-1", 0.5, Task.Llm.of(List.of(new ChatMessage("user", "ping"))), echo);

        JobSnapshot done = studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);

        assertThat(done.result()).isNotNull();
        assertThat(done.result().json()).isEqualTo("{\"echo\":\"ping\"}");
        String output = Files.readString(log);
        assertThat(output)
            .contains("skipping plugin " + plugins.resolve("broken.jar"))
            .contains(
                "skipping plugin " + plugins.resolve("no-module.jar") + ": it has no module-info")
            .contains("echo 1.0.0 (plugin " + plugins.resolve("echo.jar") + ")");
      } finally {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
        process.destroyForcibly();
      }
    }
  }

  @Test
  void theShippedFolderIsThePluginsFolderBesideTheLibFolderOfTheRuntimeJar() throws Exception {
    Path lib = Files.createDirectories(dir.resolve("versions/1.2.3/lib"));
    Path jar = Files.createFile(lib.resolve("worker-runtime-1.2.3.jar"));

    assertThat(PluginLoader.shippedFolder(jar)).contains(dir.resolve("versions/1.2.3/plugins"));
  }

  @Test
  void aRuntimeRunFromAClassesFolderShipsNoPlugins() throws Exception {
    Path classes = Files.createDirectories(dir.resolve("worker-runtime/target/classes"));

    assertThat(PluginLoader.shippedFolder(classes)).isEmpty();
    // The tests themselves run the runtime from target/classes.
    assertThat(PluginLoader.shippedFolder()).isEmpty();
  }

  @Test
  void foldersAreTheShippedOneTheInstallationsThenTheConfigDirsThenTheExtraOnes() {
    Path shipped = dir.resolve("versions/1.2.3/plugins");
    Path config = dir.resolve("config");
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");

    // Installed (<root>/versions/<v>): <root>/plugins, which survives updates, comes next.
    assertThat(PluginLoader.folders(shipped, config, List.of(first, second)))
        .containsExactly(shipped, dir.resolve("plugins"), config.resolve("plugins"), first, second);
    // An unpacked archive has no installation folder.
    Path unpacked = dir.resolve("studio-worker-1.2.3/plugins");
    assertThat(PluginLoader.folders(unpacked, config, List.of()))
        .containsExactly(unpacked, config.resolve("plugins"));
    assertThat(PluginLoader.folders(null, null, List.of(first))).containsExactly(first);
    assertThat(
            PluginLoader.folders(
                null, config, List.of(first, config.resolve("x/../plugins"), first, second)))
        .containsExactly(config.resolve("plugins"), first, second);
    assertThat(PluginLoader.folders(config, List.of(first)))
        .containsExactly(config.resolve("plugins"), first);
  }

  @Test
  void theManifestAttributeIsReadFromTheJar() throws Exception {
    Path spi =
        ChildWorker.runtimeModulePath().stream()
            .filter(p -> p.toString().contains("worker-spi"))
            .findFirst()
            .orElseThrow();
    Path asks =
        PluginJars.build(
            dir, dir.resolve("asks.jar"), spi, PluginJars.echoPlugin(), PluginJars.nativeAccess());
    Path plain = PluginJars.build(dir, dir.resolve("plain.jar"), spi, PluginJars.echoPlugin());
    Path no =
        PluginJars.build(
            dir,
            dir.resolve("no.jar"),
            spi,
            PluginJars.echoPlugin(),
            Map.of(PluginLoader.NATIVE_ACCESS_ATTRIBUTE, "false"));

    assertThat(PluginLoader.asksForNativeAccess(asks)).isTrue();
    assertThat(PluginLoader.asksForNativeAccess(plain)).isFalse();
    assertThat(PluginLoader.asksForNativeAccess(no)).isFalse();
  }

  @Test
  void moduleThatRequiresAHostLibraryIsRefused() {
    ModuleDescriptor descriptor =
        ModuleDescriptor.newModule("com.example.greedy")
            .requires("org.studioworker.spi")
            .requires("tools.jackson.databind")
            .packages(Set.of("com.example.greedy"))
            .build();

    assertThat(PluginLoader.check(descriptor, Map.of()))
        .contains("requires module tools.jackson.databind");
  }

  @Test
  void moduleThatShipsAHostPackageIsRefused() {
    ModuleDescriptor descriptor =
        ModuleDescriptor.newModule("com.example.sneaky")
            .requires("org.studioworker.spi")
            .packages(Set.of("org.studioworker.runtime"))
            .build();

    assertThat(
            PluginLoader.check(
                descriptor, Map.of("org.studioworker.runtime", "org.studioworker.runtime")))
        .contains("ships package org.studioworker.runtime");
  }

  @Test
  void moduleWithoutThePluginApiIsRefused() {
    ModuleDescriptor descriptor =
        ModuleDescriptor.newModule("com.example.lost").packages(Set.of("com.example.lost")).build();

    assertThat(PluginLoader.check(descriptor, Map.of())).contains("does not require");
  }
}
