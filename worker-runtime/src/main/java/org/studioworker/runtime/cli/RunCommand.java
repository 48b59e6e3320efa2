package org.studioworker.runtime.cli;

import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.daemon.GpuPins;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.logs.LogSetup;
import picocli.CommandLine.Command;

/** {@code studio-worker run}: the daemon. */
@Command(name = "run", description = "Register if needed, then serve jobs until stopped.")
final class RunCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @picocli.CommandLine.Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "Also load engine plugin jars from DIR (repeatable).")
  java.util.List<java.nio.file.Path> plugins = new java.util.ArrayList<>();

  @picocli.CommandLine.Option(
      names = "--gpu",
      paramLabel = "INDEX|UUID",
      description = {
        "Pin this worker to one GPU: an index (0) or a UUID (GPU-...), as `studio-worker gpu`",
        "lists them. Without --config the config file is gpu-<INDEX|UUID>/config.toml in the",
        "default config folder. Also STUDIO_WORKER_GPU, or the config key gpu."
      })
  @org.jspecify.annotations.Nullable
  String gpu;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  RunCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() {
    java.nio.file.Path config = parent.configPath();
    if (gpu != null) {
      org.studioworker.gpu.GpuSelector selector;
      try {
        selector = org.studioworker.gpu.GpuSelector.parse(gpu);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--gpu " + gpu + ": " + e.getMessage());
      }
      if (parent.config == null) {
        config = GpuPins.configPath(selector, parent.env);
      }
    }
    String warning = LogSetup.install(parent.env, Version.current());
    if (warning != null) {
      LoggerFactory.getLogger("daemon").warn("{}", warning);
    }
    try {
      return new WorkerDaemon(
              WorkerDaemon.Options.of(config, parent.env).withPluginDirs(plugins).withGpu(gpu))
          .run();
    } finally {
      LogSetup.close();
    }
  }
}
