package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.lifecycle.Signals;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.localapi.DaemonClient.LogBatch;
import org.studioworker.runtime.localapi.DaemonClient.LogLine;
import org.studioworker.runtime.localapi.DaemonClient.Problem;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code studio-worker logs [-f] [-n N]}: the running daemon's log ring, in the console's layout.
 *
 * <p>With {@code --follow} it asks for what came after the newest line it printed every 500 ms
 * until SIGINT or SIGTERM, then exits 0. The daemon going away does not end it: like {@code
 * journalctl -f} (and unlike {@code docker logs -f}, whose container is gone for good) it says so
 * on stderr and waits for the daemon to come back, because a worker's daemon comes back as a rule
 * (a self-update restarts it, systemd restarts it) and those are the moments an operator follows
 * the log for. Only a daemon that does not answer at the start is an error.
 *
 * <p>A daemon numbers its lines from 1 again when it restarts. A restart shows as the answer's
 * {@code seq} going below the one asked after (the daemon then sends its whole ring, all of it new
 * to us), or, when the client saw the daemon gone, as another pid; either way the follower prints
 * the new daemon's lines once and asks after its {@code seq} from then on, never the old larger one
 * (above the new daemon's newest, that would bring its whole ring again at every poll).
 */
@Command(
    name = "logs",
    description = {
      "Print the running daemon's recent log lines; -f follows them.",
      "At most the 1000 lines the daemon holds. -f prints new ones until Ctrl-C",
      "or SIGTERM, and waits out a restart of the daemon."
    })
final class LogsCommand implements Callable<Integer> {
  /** Why 500 ms? New lines show within half a second, at two loopback requests a second. */
  static final Duration POLL = Duration.ofMillis(500);

  private final StudioWorkerCommand parent;

  /** Ends {@code --follow}; null: SIGINT and SIGTERM do. */
  private final @Nullable StopSignal stop;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines until Ctrl-C (SIGINT) or SIGTERM.")
  boolean follow;

  @Option(
      names = {"-n", "--lines"},
      paramLabel = "N",
      description = "Print only the last N lines held (then, with -f, every new one).")
  @Nullable Integer lines;

  /**
   * @param stop ends {@code --follow} when given (no signal handler is installed then); when null,
   *     SIGINT and SIGTERM end it
   */
  LogsCommand(StudioWorkerCommand parent, @Nullable StopSignal stop) {
    this.parent = parent;
    this.stop = stop;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (lines != null && lines < 0) {
      err.println("error: -n takes a number of lines, 0 or more");
      err.flush();
      return ExitCodes.USAGE;
    }
    StopSignal stopping = stopSignal();
    try (DaemonClient daemon = new DaemonClient(parent.configPath(), stopping::isStopping)) {
      @Nullable Long pid = null;
      if (follow) {
        // Who answers now, to tell a restart from a pause in answering later.
        switch (daemon.status()) {
          case Reply.Answer<JsonNode>(URI _, JsonNode status) -> pid = DaemonClient.pid(status);
          case Reply.Failure<JsonNode>(Problem problem) -> {
            return failed(err, stopping, problem);
          }
        }
      }
      LogBatch first;
      switch (daemon.logs(0)) {
        case Reply.Answer<LogBatch>(URI _, LogBatch batch) -> first = batch;
        case Reply.Failure<LogBatch>(Problem problem) -> {
          return failed(err, stopping, problem);
        }
      }
      List<LogLine> held = first.entries();
      print(
          out, lines == null ? held : held.subList(Math.max(0, held.size() - lines), held.size()));
      return follow ? follow(daemon, out, err, stopping, first.seq(), pid) : ExitCodes.OK;
    }
  }

  /** The stop of {@code --follow}: the one given, else one driven by SIGINT and SIGTERM. */
  private StopSignal stopSignal() {
    if (stop != null) {
      return stop;
    }
    StopSignal own = new StopSignal();
    if (follow) {
      // Instead of the JVM's shutdown: Ctrl-C ends the loop, and the command exits 0.
      Signals.install(own::escalate);
    }
    return own;
  }

  private static int failed(PrintWriter err, StopSignal stopping, Problem problem) {
    if (stopping.isStopping()) {
      return ExitCodes.OK;
    }
    err.println("error: " + problem.message());
    err.flush();
    return ExitCodes.FAILURE;
  }

  private static int follow(
      DaemonClient daemon,
      PrintWriter out,
      PrintWriter err,
      StopSignal stopping,
      long newest,
      @Nullable Long firstPid)
      throws InterruptedException {
    long after = newest;
    @Nullable Long pid = firstPid;
    // The message printed when the daemon went away; null while it answers.
    @Nullable String away = null;
    while (!stopping.sleep(POLL)) {
      if (out.checkError()) {
        return ExitCodes.OK; // stdout is gone (`logs -f | head`): nobody reads on.
      }
      if (away != null) {
        // Back, or still away? And is it the same daemon: a new one numbers its lines anew.
        switch (daemon.status()) {
          case Reply.Answer<JsonNode>(URI url, JsonNode status) -> {
            @Nullable Long now = DaemonClient.pid(status);
            err.println("the daemon answers again at " + url);
            if (pid != null && now != null && !now.equals(pid)) {
              err.println("the daemon restarted (pid " + now + "); its log follows");
              after = 0;
            }
            pid = now;
            away = null;
          }
          case Reply.Failure<JsonNode>(Problem problem) -> {
            if (stopping.isStopping()) {
              return ExitCodes.OK;
            }
            away = wentAway(err, away, problem);
            continue;
          }
        }
      }
      switch (daemon.logs(after)) {
        case Reply.Answer<LogBatch>(URI _, LogBatch batch) -> {
          if (batch.seq() < after) {
            // The daemon sent its whole ring: every line of it is new to us.
            err.println("the daemon restarted; its log follows");
            pid =
                daemon.status() instanceof Reply.Answer<JsonNode>(URI _, JsonNode status)
                    ? DaemonClient.pid(status)
                    : null;
          } else {
            long dropped = batch.seq() - after - batch.entries().size();
            if (dropped > 0) {
              err.println(dropped + " lines left the daemon's ring before they could be read");
            }
          }
          print(out, batch.entries());
          after = batch.seq();
        }
        case Reply.Failure<LogBatch>(Problem problem) -> {
          if (stopping.isStopping()) {
            return ExitCodes.OK;
          }
          away = wentAway(err, away, problem);
        }
      }
    }
    return ExitCodes.OK;
  }

  /** Says the daemon went away, once per distinct reason; returns the reason now in force. */
  private static String wentAway(PrintWriter err, @Nullable String before, Problem problem) {
    String message = problem.message();
    if (!Objects.equals(before, message)) {
      err.println(
          "the daemon went away: " + message + "; waiting for it to come back (Ctrl-C to stop)");
      err.flush();
    }
    return message;
  }

  private static void print(PrintWriter out, List<LogLine> lines) {
    for (LogLine line : lines) {
      out.println(line.render());
    }
    out.flush();
  }
}
