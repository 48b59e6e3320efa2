package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code studio-worker config}: the config file with its secrets redacted. */
@Command(name = "config", description = "Print the config file, secrets shown as <redacted>.")
final class ConfigCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  ConfigCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ConfigStore store = new ConfigStore(parent.configPath());
    try {
      String text = store.redactedText(store.loadOrCreate(null).config());
      out.println("# " + store.path());
      out.print(text);
      out.flush();
      return ExitCodes.OK;
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return ExitCodes.CONFIG;
    }
  }
}
