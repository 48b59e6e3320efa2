package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.config.ConfigException;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.StudioUrls;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code studio-worker register}: set the studio and reset the identity. No HTTP; only saves. */
@Command(
    name = "register",
    description = {
      "Point the worker at a studio and/or forget its identity. Talks to no one:",
      "the next `run` asks the studio to join and waits for an operator's approval."
    })
final class RegisterCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--api-base-url", paramLabel = "URL", description = "The studio's base URL.")
  @Nullable String apiBaseUrl;

  @Option(
      names = "--reset",
      description = "Forget worker id, token, install id and any pending request.")
  boolean reset;

  RegisterCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigStore store = new ConfigStore(parent.configPath());
    try {
      WorkerConfig config = store.loadOrCreate(null).config();
      if (apiBaseUrl != null) {
        StudioUrls.normalise(apiBaseUrl);
        config = config.withApiBaseUrl(apiBaseUrl);
      }
      if (reset) {
        config = config.withRegistrationReset();
      }
      store.save(config);
      out.println("config: " + store.path());
      out.println("studio: " + config.studioBase());
      if (reset) {
        out.println("identity cleared: the next `studio-worker run` asks the studio to join anew.");
      } else if (config.isRegistered()) {
        out.println("registered as " + config.workerId() + ".");
      } else {
        out.println(
            "not registered yet: `studio-worker run` asks the studio to join; an operator then"
                + " approves the request.");
      }
      return ExitCodes.OK;
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return ExitCodes.CONFIG;
    }
  }
}
