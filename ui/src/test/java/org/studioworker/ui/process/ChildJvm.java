package org.studioworker.ui.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Starts a main class of the test sources in a JVM of its own, on this JVM's class path. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code args}, output to {@code log}. The child runs on the class path
   * made of this JVM's module path and class path: what it tests (file locks) does not depend on
   * modules.
   */
  static Process start(Class<?> main, Path log, String... args) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String classPath =
        String.join(
            File.pathSeparator,
            Stream.of(
                    System.getProperty("jdk.module.path", ""),
                    System.getProperty("java.class.path", ""))
                .flatMap(p -> Stream.of(p.split(File.pathSeparator)))
                .filter(entry -> !entry.isBlank())
                .toList());
    List<String> command = new ArrayList<>(List.of(java, "-cp", classPath, main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }
}
