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

  @picocli.CommandLine.Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "Also load engine plugin jars from DIR (repeatable).")
  java.util.List<java.nio.file.Path> plugins = new java.util.ArrayList<>();

  RunCommand(StudioWorkerCommand parent) {
    this.parent = parent;
  }

  @Override
  public Integer call() {
    String warning = LogSetup.install(parent.env, Version.current());
    if (warning != null) {
      LoggerFactory.getLogger("daemon").warn("{}", warning);
    }
    try {
      return new WorkerDaemon(
              WorkerDaemon.Options.of(parent.configPath(), parent.env).withPluginDirs(plugins))
          .run();
    } finally {
      LogSetup.close();
    }
  }
}
