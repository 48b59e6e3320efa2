package org.studioworker.spi.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Finds an external program: an environment variable, {@code <models_root>/bin}, {@code
 * ~/.local/bin}, then {@code PATH}, first executable wins.
 *
 * <p>Stateless; each call looks again (a handful of file checks).
 */
public final class ProgramLocator {
  private final String program;
  private final String envVar;

  public ProgramLocator(String program, String envVar) {
    this.program = program;
    this.envVar = envVar;
  }

  /** Where the program was found, or where it was looked for. */
  public record Located(@Nullable Path program, List<String> lookedAt) {
    /** Copies the list. */
    public Located {
      lookedAt = List.copyOf(lookedAt);
    }

    /** The program, when found. */
    public Optional<Path> path() {
      return Optional.ofNullable(program);
    }
  }

  /** The program's name ({@code sd-cli}). */
  public String program() {
    return program;
  }

  /**
   * Looks for the program: the environment variable, {@code <models_root>/bin}, {@code
   * ~/.local/bin}, then {@code PATH}. Checks files only; does not run anything.
   */
  public Located locate(Map<String, String> env, Path modelsRoot) {
    List<String> lookedAt = new ArrayList<>();
    String fromEnv = env.get(envVar);
    if (fromEnv == null || fromEnv.isBlank()) {
      lookedAt.add("$" + envVar + " (not set)");
    } else {
      Path candidate = path(fromEnv);
      lookedAt.add("$" + envVar + " (" + fromEnv + ")");
      if (candidate != null && isExecutable(candidate)) {
        return new Located(candidate, lookedAt);
      }
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(modelsRoot.resolve("bin").resolve(program));
    String home = env.getOrDefault("HOME", System.getProperty("user.home", ""));
    if (!home.isBlank()) {
      Path homePath = path(home);
      if (homePath != null) {
        candidates.add(homePath.resolve(".local").resolve("bin").resolve(program));
      }
    }
    for (Path candidate : candidates) {
      lookedAt.add(candidate.toString());
      if (isExecutable(candidate)) {
        return new Located(candidate, lookedAt);
      }
    }
    String pathVar = env.getOrDefault("PATH", "");
    List<String> pathDirs = new ArrayList<>();
    for (String dir : pathVar.split(File.pathSeparator, -1)) {
      if (dir.isBlank()) {
        continue;
      }
      pathDirs.add(dir);
      Path folder = path(dir);
      if (folder != null && isExecutable(folder.resolve(program))) {
        lookedAt.add("PATH (" + String.join(File.pathSeparator, pathDirs) + ")");
        return new Located(folder.resolve(program), lookedAt);
      }
    }
    lookedAt.add(pathDirs.isEmpty() ? "PATH (empty)" : "PATH (" + pathVar + ")");
    return new Located(null, lookedAt);
  }

  /**
   * The failure message for a program that was not found, short enough for one log line: what is
   * missing and how to fix it. {@link #searched} says where it was looked for.
   */
  public String notFound(Located located) {
    return program + " was not found (set " + envVar + " to its path, or put it on PATH)";
  }

  /** Where a program was looked for, in order, for a debug line or a diagnostic command. */
  public String searched(Located located) {
    return program + ": looked at " + String.join(", ", located.lookedAt());
  }

  private static boolean isExecutable(Path candidate) {
    return Files.isRegularFile(candidate) && Files.isExecutable(candidate);
  }

  private static @Nullable Path path(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
