package org.studioworker.runtime.cli;

import java.util.Map;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine;

/** Runs the picocli command line. */
public final class Cli {
  private Cli() {}

  /** Parses and runs {@code args}; returns the exit code. Usage errors give {@code 2}. */
  public static int execute(Map<String, String> env, String... args) {
    CommandLine line = StudioWorkerCommand.commandLine(env);
    line.setExitCodeExceptionMapper(e -> ExitCodes.FAILURE);
    line.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
    return line.execute(args);
  }
}
