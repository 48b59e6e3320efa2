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

/**
 * {@code studio-worker register}: set the studio and reset the identity. No HTTP; only saves.
 *
 * <p>A new {@code --api-base-url} on another origin (scheme, host or port) clears the worker id,
 * token and any pending request, which belong to the old studio; the same origin keeps them.
 */
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
      String moved = null;
      if (apiBaseUrl != null) {
        String to = StudioUrls.origin(StudioUrls.normalise(apiBaseUrl));
        String from = origin(config.apiBaseUrl());
        config = config.withApiBaseUrl(apiBaseUrl);
        // The token and the registration secret were issued by the old studio: another host must
        // never receive them, so a move to another origin forgets them before anything connects.
        if (!to.equals(from) && config.hasRegistrationState()) {
          config = config.withRegistrationCleared();
          moved =
              "the studio changed from "
                  + (from == null ? "an unreadable api_base_url" : from)
                  + " to "
                  + to
                  + ": the old registration was cleared; the worker will ask to join again.";
        }
      }
      if (reset) {
        config = config.withRegistrationReset();
      }
      store.save(config);
      out.println("config: " + store.path());
      out.println("studio: " + config.studioBase());
      if (moved != null && !reset) {
        out.println(moved);
      }
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

  /** The origin of a saved base URL, or null when the saved one does not parse. */
  private static @Nullable String origin(String baseUrl) {
    try {
      return StudioUrls.origin(StudioUrls.normalise(baseUrl));
    } catch (ConfigException e) {
      return null;
    }
  }
}
