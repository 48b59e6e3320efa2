package org.studioworker.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.update.AutoUpdate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code studio-worker check-update}: asks the update feed once; installs nothing. */
@Command(
    name = "check-update",
    description = "Ask the update feed (auto_update_feed) whether a newer build exists.")
final class CheckUpdateCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  CheckUpdateCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigStore store = new ConfigStore(parent.configPath());
    WorkerConfig config;
    try {
      config = Files.exists(store.path()) ? store.load() : WorkerConfig.defaults();
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return ExitCodes.CONFIG;
    }
    try {
      out.println(AutoUpdate.check(config, parent.env));
      out.flush();
      return ExitCodes.OK;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return ExitCodes.FAILURE;
    }
  }
}
