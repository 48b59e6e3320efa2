package org.studioworker.runtime.cli;

import java.util.Map;
import org.studioworker.runtime.logs.LogSetup;

/** Runs the picocli command line. */
public final class Cli {
  private Cli() {}

  /**
   * Sets logging up, then parses and runs {@code args}; returns the exit code. Usage errors give
   * {@code 2}, with the message and the synopsis on stderr and nothing on stdout.
   */
  public static int execute(Map<String, String> env, String... args) {
    // Before parsing: a usage error, too, must not end with Logback's default debug output.
    LogSetup.installConsole(env);
    return StudioWorkerCommand.commandLine(env).execute(args);
  }
}
