package org.studioworker.runtime.cli;

import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.logs.LogSetup;
import picocli.CommandLine.Command;

/** {@code studio-worker run}: the daemon. */
@Command(name = "run", description = "Register if needed, then serve jobs until stopped.")
final class RunCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  RunCommand(StudioWorkerCommand parent) {
    this.parent = parent;
  }

  @Override
  public Integer call() {
    String warning = LogSetup.install(parent.env, Version.current());
    if (warning != null) {
      LoggerFactory.getLogger("daemon").warn(warning);
    }
    try {
      return new WorkerDaemon(WorkerDaemon.Options.of(parent.configPath(), parent.env)).run();
    } finally {
      LogSetup.close();
    }
  }
}
