package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.localapi.DaemonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code studio-worker pause}: the running daemon takes no new jobs until resumed. */
@Command(
    name = "pause",
    description = {
      "Stop the running daemon taking new jobs (runtime only, not saved).",
      "The job in flight finishes. `resume`, or a restart of the daemon, undoes it."
    })
final class PauseCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  PauseCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() throws InterruptedException {
    return setPaused(
        parent,
        spec,
        true,
        "paused: the worker finishes the job in flight, then takes no new jobs until"
            + " `studio-worker resume`");
  }

  /**
   * Asks the daemon to pause or resume and prints {@code done} or the one-line reason it could not.
   *
   * @return {@link ExitCodes#OK}, or {@link ExitCodes#FAILURE} when no daemon did it
   */
  static int setPaused(
      StudioWorkerCommand parent,
      picocli.CommandLine.Model.CommandSpec spec,
      boolean pause,
      String done)
      throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (DaemonClient daemon = new DaemonClient(parent.configPath(), () -> false)) {
      switch (daemon.pause(pause)) {
        case DaemonClient.Reply.Answer<Boolean> _ -> {
          out.println(done);
          out.flush();
          return ExitCodes.OK;
        }
        case DaemonClient.Reply.Failure<Boolean>(DaemonClient.Problem problem) -> {
          err.println("error: " + problem.message());
          err.flush();
          return ExitCodes.FAILURE;
        }
      }
    }
  }
}
