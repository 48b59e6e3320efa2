package org.studioworker.runtime.cli;

import java.util.Map;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.logs.LogSetup;
import picocli.CommandLine;

/** Runs the picocli command line. */
public final class Cli {
  private Cli() {}

  /** Sets logging up, then parses and runs {@code args}; returns the exit code. */
  public static int execute(Map<String, String> env, String... args) {
    // Before parsing: a usage error, too, must not end with Logback's default debug output.
    LogSetup.installConsole(env);
    CommandLine line = StudioWorkerCommand.commandLine(env);
    line.setExitCodeExceptionMapper(e -> ExitCodes.FAILURE);
    line.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
    return line.execute(args);
  }
}
