package org.studioworker.runtime.cli;

import java.util.concurrent.Callable;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code studio-worker set-threshold <gb>}: the largest job estimate this worker claims. */
@Command(
    name = "set-threshold",
    description = "Set vram_threshold_gb: jobs estimated above it are not offered to this worker.")
final class SetThresholdCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "GB", description = "A number of GB, 0 or more (for example 10.5).")
  String gb = "";

  SetThresholdCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() {
    double value;
    try {
      value = Double.parseDouble(gb.strip());
    } catch (NumberFormatException e) {
      spec.commandLine().getErr().println("error: the threshold must be a number of GB, like 10.5");
      return ExitCodes.USAGE;
    }
    if (!Double.isFinite(value) || value < 0) {
      spec.commandLine()
          .getErr()
          .println("error: the threshold must be a finite number, 0 or more");
      return ExitCodes.USAGE;
    }
    ConfigStore store = new ConfigStore(parent.configPath());
    try {
      WorkerConfig config = store.loadOrCreate(null).config();
      store.save(config.withVramThresholdGb(value));
      spec.commandLine()
          .getOut()
          .println("vram_threshold_gb = " + value + " (was " + config.vramThresholdGb() + ")");
      return ExitCodes.OK;
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return ExitCodes.CONFIG;
    }
  }
}
