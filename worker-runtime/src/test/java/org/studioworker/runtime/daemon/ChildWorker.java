package org.studioworker.runtime.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Starts the worker as a real process on the module path, as the packaged product runs it. */
public final class ChildWorker {
  private ChildWorker() {}

  /** The runtime's module path: its classes and its runtime dependencies. */
  public static List<Path> runtimeModulePath() throws IOException {
    Path target = Path.of("target");
    String deps = Files.readString(target.resolve("runtime-module-path.txt")).strip();
    List<Path> path = new ArrayList<>();
    path.add(target.resolve("classes").toAbsolutePath());
    for (String entry : deps.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        path.add(Path.of(entry));
      }
    }
    return path;
  }

  /** The entry of the test class path whose path contains {@code fragment}. */
  public static Path testClassPathEntry(String fragment) {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> entry.contains(fragment))
        .map(Path::of)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(fragment + " is not on the test class path"));
  }

  /** Starts {@code studio-worker <args>} with the given extra modules, output to {@code log}. */
  public static Process start(List<Path> extraModules, Path log, String... args)
      throws IOException {
    return start(extraModules, java.util.Map.of(), log, args);
  }

  /** The same, with extra environment variables. */
  public static Process start(
      List<Path> extraModules, java.util.Map<String, String> env, Path log, String... args)
      throws IOException {
    return startWithJvmOptions(
        List.of("--enable-native-access=org.studioworker.gpu,org.studioworker.runtime"),
        extraModules,
        env,
        log,
        args);
  }

  /**
   * The same, with these JVM options instead of the launchers' {@code --enable-native-access}
   * (which they replace: pass it among them to keep it).
   */
  public static Process startWithJvmOptions(
      List<String> jvmOptions,
      List<Path> extraModules,
      java.util.Map<String, String> env,
      Path log,
      String... args)
      throws IOException {
    List<Path> modulePath = new ArrayList<>(runtimeModulePath());
    modulePath.addAll(extraModules);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("--module-path");
    command.add(String.join(File.pathSeparator, modulePath.stream().map(Path::toString).toList()));
    if (!extraModules.isEmpty()) {
      command.add("--add-modules");
      command.add("ALL-MODULE-PATH");
    }
    command.add("-m");
    command.add("org.studioworker.runtime/org.studioworker.runtime.Main");
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }
}
