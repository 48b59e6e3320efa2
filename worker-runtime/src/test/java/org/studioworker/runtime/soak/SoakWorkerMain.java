package org.studioworker.runtime.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.logs.LogSetup;

/**
 * The soak's worker process: what {@code studio-worker --config PATH run} does, on a shortened
 * schedule, so that a half-open socket is noticed in seconds instead of 20 s.
 *
 * <p>It runs in a JVM of its own on the module path, the runtime module patched with the test
 * classes; signals, engine discovery, logging and shipping are the product's own.
 */
public final class SoakWorkerMain {
  /**
   * The standard schedule (PROTOCOL.md §5) shortened about twentyfold: heartbeat 250 ms (so a read
   * idle of 2 s sees eight heartbeat acks), log flush 100 ms, backoff 200 ms doubling to 2 s.
   */
  static final LoopSchedule SCHEDULE =
      new LoopSchedule(
          Duration.ofMillis(250),
          Duration.ofMillis(100),
          Duration.ofMillis(50),
          Duration.ofMillis(200),
          Duration.ofSeconds(2),
          Duration.ofSeconds(2),
          Duration.ofSeconds(5),
          Duration.ofMillis(200),
          Duration.ofSeconds(3),
          List.of(Duration.ofMillis(200), Duration.ofMillis(400)));

  private SoakWorkerMain() {}

  /** {@code SoakWorkerMain CONFIG}: runs the daemon until it ends and exits with its code. */
  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    String warning = LogSetup.install(env, Version.current());
    if (warning != null) {
      LoggerFactory.getLogger("daemon").warn("{}", warning);
    }
    int code;
    try {
      code =
          new WorkerDaemon(WorkerDaemon.Options.of(Path.of(args[0]), env).withSchedule(SCHEDULE))
              .run();
    } finally {
      LogSetup.close();
    }
    System.exit(code);
  }
}
