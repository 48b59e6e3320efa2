package org.studioworker.runtime;

import java.util.Map;
import org.studioworker.runtime.cli.Cli;

/** The entry point of the {@code studio-worker} command. */
public final class Main {
  private Main() {}

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(execute(System.getenv(), args));
  }

  /** Runs the command line and returns its exit code, without exiting. */
  public static int execute(Map<String, String> env, String... args) {
    return Cli.execute(env, args);
  }
}
