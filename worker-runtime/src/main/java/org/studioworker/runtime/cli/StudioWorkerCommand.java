package org.studioworker.runtime.cli;

import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.lifecycle.StopSignal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code studio-worker} command: global options and the subcommands. */
@Command(
    name = "studio-worker",
    mixinStandardHelpOptions = true,
    versionProvider = StudioWorkerCommand.VersionProvider.class,
    description = "The GPU job worker of the minis.gg studio.",
    footer = {
      "",
      "The launcher also runs:",
      "  demo         the reference studio and a worker together, with a job of every kind",
      "  dev-studio   the reference studio alone [--port N] [--auto-approve]",
      "",
      "Exit codes: 0 ok or clean stop, 1 failure, 2 usage, 3 config file, 4 token refused",
      "(run register --reset), 5 registration rejected, 6 reconnect attempts ran out,",
      "75 restart into a freshly installed update."
    })
public final class StudioWorkerCommand implements Runnable {
  @Option(
      names = "--config",
      paramLabel = "PATH",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Config file (default: $XDG_CONFIG_HOME/minis-studio-worker/config.toml).")
  @Nullable Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  final Map<String, String> env;

  StudioWorkerCommand(Map<String, String> env) {
    this.env = env;
    this.spec = CommandLine.Model.CommandSpec.create();
  }

  /** The command line with every subcommand and its error handling, ready to execute. */
  static CommandLine commandLine(Map<String, String> env) {
    return commandLine(env, null);
  }

  /**
   * The command line, with {@code logs --follow} ended by {@code stop} instead of SIGINT/SIGTERM
   * when one is given (a caller in the same JVM, such as a test, stops it so).
   */
  static CommandLine commandLine(Map<String, String> env, @Nullable StopSignal stop) {
    StudioWorkerCommand root = new StudioWorkerCommand(env);
    CommandLine line = new CommandLine(root);
    line.addSubcommand("run", new RunCommand(root));
    line.addSubcommand("register", new RegisterCommand(root));
    line.addSubcommand("status", new StatusCommand(root));
    line.addSubcommand("config", new ConfigCommand(root));
    line.addSubcommand("gpu", new GpuCommand(root));
    line.addSubcommand("set-threshold", new SetThresholdCommand(root));
    line.addSubcommand("check-update", new CheckUpdateCommand(root));
    line.addSubcommand("pause", new PauseCommand(root));
    line.addSubcommand("resume", new ResumeCommand(root));
    line.addSubcommand("logs", new LogsCommand(root, stop));
    line.addSubcommand("ui", new UiCommand(root));
    line.addSubcommand("help", new CommandLine.HelpCommand());
    // Set after the subcommands: picocli hands the handlers to those registered by now.
    CommandErrors errors = new CommandErrors();
    line.setParameterExceptionHandler(errors);
    line.setExecutionExceptionHandler(errors);
    return line;
  }

  /** The config file to use. */
  Path configPath() {
    return config != null ? config : ConfigStore.defaultPath(env);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints the version. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"studio-worker " + Version.describe()};
    }
  }
}
