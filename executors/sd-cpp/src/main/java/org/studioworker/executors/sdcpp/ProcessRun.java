package org.studioworker.executors.sdcpp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.studioworker.spi.process.EngineProcesses;
import org.studioworker.spi.process.LineDrain;
import org.studioworker.spi.process.LineTail;
import org.studioworker.spi.process.ProcessTree;

/**
 * One run of an external program: started, its output drained on threads of its own, waited for
 * under a cancellation check and a deadline, and stopped with its whole tree when it must not go
 * on.
 *
 * <p>Used by one job thread at a time.
 */
final class ProcessRun {
  /** Why 50 lines? Enough to hold the error and the few lines that led to it. */
  static final int TAIL_LINES = 50;

  /** Why 250 ms? A cancelled job must stop within the runtime's 250 ms stop-check rhythm. */
  private static final long POLL_MILLIS = 250;

  /** How a run ended. */
  sealed interface Outcome {
    /** The program exited by itself. */
    record Exited(int status) implements Outcome {}

    /** The job was cancelled; the tree was stopped. */
    record Cancelled() implements Outcome {}

    /** The job ran past its deadline; the tree was stopped. */
    record TimedOut(Duration limit) implements Outcome {}
  }

  private final Process process;
  private final Duration killGrace;
  private final LineTail stdout = new LineTail(TAIL_LINES);
  private final LineTail stderr = new LineTail(TAIL_LINES);
  private final Thread stdoutDrain;
  private final Thread stderrDrain;

  private ProcessRun(
      Process process, Duration killGrace, Consumer<String> outLines, Consumer<String> errLines) {
    this.process = process;
    this.killGrace = killGrace;
    long pid = process.pid();
    this.stdoutDrain =
        LineDrain.start(
            process.getInputStream(),
            "process-" + pid + "-stdout",
            line -> {
              stdout.add(line);
              outLines.accept(line);
            });
    this.stderrDrain =
        LineDrain.start(
            process.getErrorStream(),
            "process-" + pid + "-stderr",
            line -> {
              stderr.add(line);
              errLines.accept(line);
            });
  }

  /**
   * Starts the command in {@code workDir} with no input, its environment the worker's as {@link
   * EngineProcesses#environment} makes it with {@code processEnv}.
   *
   * @throws IOException when the program cannot be started
   */
  static ProcessRun start(
      List<String> command,
      Path workDir,
      Map<String, String> processEnv,
      Duration killGrace,
      Consumer<String> outLines,
      Consumer<String> errLines)
      throws IOException {
    Process process =
        EngineProcesses.environment(
                new ProcessBuilder(command).directory(workDir.toFile()), processEnv)
            .start();
    // No input: a program that reads its standard input sees its end at once.
    process.getOutputStream().close();
    return new ProcessRun(process, killGrace, outLines, errLines);
  }

  /** The process, for tests and logs. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /**
   * Waits for the program to exit, checking {@code cancelled} every 250 ms, for at most {@code
   * limit}. A cancelled or overdue run is stopped with its whole tree before this returns.
   *
   * @throws InterruptedException when the thread is interrupted; the tree is stopped first
   */
  Outcome await(BooleanSupplier cancelled, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      while (true) {
        long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
        if (process.waitFor(Math.clamp(leftMillis, 1, POLL_MILLIS), TimeUnit.MILLISECONDS)) {
          finishDrains();
          return new Outcome.Exited(process.exitValue());
        }
        if (cancelled.getAsBoolean()) {
          stop();
          return new Outcome.Cancelled();
        }
        if (System.nanoTime() - deadline >= 0) {
          stop();
          return new Outcome.TimedOut(limit);
        }
      }
    } catch (InterruptedException e) {
      stop();
      throw e;
    }
  }

  /** Stops the whole tree; never throws. */
  void stop() {
    ProcessTree.stop(process.toHandle(), killGrace);
  }

  /** The last lines the program wrote to its error stream. */
  LineTail stderr() {
    return stderr;
  }

  /** The last lines the program wrote to its output stream. */
  LineTail stdout() {
    return stdout;
  }

  /** Lets the drains read what the exited program left in its pipes (1 s at most). */
  private void finishDrains() throws InterruptedException {
    stdoutDrain.join(Duration.ofSeconds(1));
    stderrDrain.join(Duration.ofSeconds(1));
  }
}
