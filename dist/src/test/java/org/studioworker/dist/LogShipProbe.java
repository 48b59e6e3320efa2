package org.studioworker.dist;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.logs.LogSetup;

/**
 * The worker's daemon in a JVM of its own (started by {@link FiguresBenchmark}), logging at a given
 * rate to a logger the daemon ships. Two phases, each started by a line on standard input: {@code
 * below}, the studio reading (the count sent is written to the results file), then {@code above},
 * the studio silent so that the ship queue fills past its cap (heap after a GC, sampled every half
 * second, is written to the results file). Not a test.
 *
 * <p>Arguments: {@code <config> <results file> <lines per second> <seconds per phase>}.
 */
final class LogShipProbe {
  /** No dot in the name: the daemon ships it (ShipAppender). */
  private static final Logger BENCH = LoggerFactory.getLogger("bench");

  private LogShipProbe() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    Path results = Path.of(args[1]);
    int belowRate = Integer.parseInt(args[2]);
    int aboveRate = Integer.parseInt(args[3]);
    int seconds = Integer.parseInt(args[4]);
    LogSetup.install(Map.of(), "bench");
    WorkerDaemon daemon =
        new WorkerDaemon(
            WorkerDaemon.Options.of(config, Map.of("HOME", config.getParent().toString()))
                .withSignals(false));
    Thread.ofPlatform().daemon().name("daemon").start(daemon::run);

    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String> out = new ArrayList<>();
    if ("below".equals(in.readLine())) {
      long sent = emit("bench-below", belowRate, seconds, null);
      out.add("sent " + sent);
      Files.write(results, out);
    }
    if ("above".equals(in.readLine())) {
      List<Long> heap = new ArrayList<>();
      long sent = emit("bench-above", aboveRate, seconds, heap);
      out.add("sent " + sent);
      StringBuilder line = new StringBuilder("heap");
      for (long used : heap) {
        line.append(' ').append(used);
      }
      out.add(line.toString());
      Files.write(results, out);
    }
    System.exit(0);
  }

  /**
   * Logs {@code rate} lines a second for {@code seconds}, paced by the clock; when {@code heap} is
   * given, adds the heap in use after a GC every half second. Answers the lines logged.
   */
  private static long emit(String prefix, int rate, int seconds, @Nullable List<Long> heap) {
    long total = (long) rate * seconds;
    long step = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long nextSample = start;
    for (long i = 0; i < total; i++) {
      long target = start + i * step;
      long now = System.nanoTime();
      if (target > now) {
        LockSupport.parkNanos(target - now);
      }
      BENCH.info("{} {}", prefix, i);
      if (heap != null && System.nanoTime() >= nextSample) {
        System.gc();
        heap.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        nextSample += 500_000_000L;
      }
    }
    if (heap != null) {
      System.gc();
      heap.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return total;
  }
}
