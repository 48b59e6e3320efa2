package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the command line does when it cannot run a command: a usage error is exit code 2 with the
 * message, a synopsis and where to find help on stderr; an unexpected exception is exit code 1,
 * logged (so redacted) on stderr. Nothing reaches stdout, which carries only a command's answer.
 */
final class CommandErrors
    implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println("error: " + message(e));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.print("Usage: " + command.getHelp().synopsis(0));
    String name = command.getCommandSpec().qualifiedName();
    err.println(
        command.getParent() == null
            ? "Run `" + name + " --help` for the commands and options."
            : "Run `"
                + command.getParent().getCommandSpec().qualifiedName()
                + " help "
                + command.getCommandName()
                + "` for its options.");
    err.flush();
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(
      Exception e, CommandLine command, CommandLine.ParseResult parsed) {
    LoggerFactory.getLogger("cli")
        .error("{} failed: {}", command.getCommandSpec().qualifiedName(), e.toString(), e);
    return ExitCodes.FAILURE;
  }

  private static String message(ParameterException e) {
    if (e instanceof UnmatchedArgumentException unmatched
        && !unmatched.isUnknownOption()
        && !e.getCommandLine().getSubcommands().isEmpty()
        && !unmatched.getUnmatched().isEmpty()) {
      return "unknown command '" + unmatched.getUnmatched().getFirst() + "'";
    }
    String text = String.valueOf(e.getMessage());
    // picocli's messages start with a capital ("Unknown option: ..."); ours do not.
    return text.isEmpty()
        ? text
        : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
  }
}
