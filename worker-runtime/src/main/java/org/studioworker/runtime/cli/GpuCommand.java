package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.studioworker.gpu.GpuDetection;
import org.studioworker.gpu.GpuInventories;
import org.studioworker.gpu.GpuInventory;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.logs.LogSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code studio-worker gpu [--json]}: the GPU inventory as the worker reads it. */
@Command(name = "gpu", description = "Show the GPUs (NVML, else sysfs), or print them as JSON.")
final class GpuCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print the inventory as one line of JSON.")
  boolean json;

  GpuCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  /** The pin of {@code STUDIO_WORKER_GPU} or of the config file, if any; never fails. */
  private org.studioworker.gpu.@org.jspecify.annotations.Nullable GpuSelector pinned() {
    try {
      java.nio.file.Path path = parent.configPath();
      org.studioworker.runtime.config.WorkerConfig config =
          java.nio.file.Files.exists(path)
              ? new org.studioworker.runtime.config.ConfigStore(path).load()
              : org.studioworker.runtime.config.WorkerConfig.defaults();
      org.studioworker.runtime.daemon.GpuPins.Request pin =
          org.studioworker.runtime.daemon.GpuPins.configured(parent.env, config);
      return pin == null ? null : pin.selector();
    } catch (org.studioworker.runtime.config.ConfigException e) {
      // `gpu` lists the GPUs whatever the config file holds.
      return null;
    }
  }

  @Override
  public Integer call() {
    // The GPU library's warnings say what the answer prints (which source, why not NVML).
    LogSetup.onlyErrors(parent.env);
    PrintWriter out = spec.commandLine().getOut();
    GpuDetection detection = GpuInventories.detect(parent.env, System.getProperties());
    try (GpuInventory inventory = detection.inventory()) {
      if (json) {
        out.println(inventory.snapshot().toJson());
      } else {
        StatusCommand.printGpus(out, detection, inventory.snapshot(), pinned());
      }
    }
    out.flush();
    return ExitCodes.OK;
  }
}
