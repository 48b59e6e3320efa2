package org.studioworker.ui.process;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;

/**
 * Starts the daemon of the config when none has run for a while (LOCAL_API.md): once the daemon
 * lock has been free for 20 s continuously, {@code studio-worker --config <p> run} detached, its
 * output appended to {@code daemon.log}, at most once every 10 s. The daemon outlives the UI.
 */
public final class DaemonKeeper {
  public DaemonKeeper(Path configPath, Map<String, String> env, InstantSource clock) {}

  /** Called after each poll of the daemon; {@code answered}: the daemon answered it. */
  public void afterPoll(boolean answered) {}

  /** Where a daemon started by the UI writes its output. */
  public Path daemonLog() {
    return Path.of("daemon.log");
  }
}
