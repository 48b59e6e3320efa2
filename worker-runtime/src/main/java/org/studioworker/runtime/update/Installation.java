package org.studioworker.runtime.update;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An installed distribution on disk (docs/distribution.md):
 *
 * <pre>
 * &lt;root&gt;/current            → versions/&lt;version&gt; (a relative symlink, switched atomically)
 * &lt;root&gt;/versions/&lt;v&gt;/     one unpacked build each, side by side
 * &lt;root&gt;/state/started       the version that last reached the studio (written by the worker)
 * &lt;root&gt;/state/probation     "&lt;new&gt; &lt;previous&gt;" while a fresh update has not started up yet
 * &lt;root&gt;/state/refused       versions rolled back here, one a line (written by the launcher)
 * &lt;root&gt;/staging/            downloads in progress
 * </pre>
 *
 * <p>The launcher ({@code bin/studio-worker}) reads the same files. Not thread-safe: one updater
 * per process, and the launcher acts only while no worker runs.
 */
final class Installation {
  /** The environment variable the launcher sets to the install root. */
  static final String HOME_ENV = "STUDIO_WORKER_HOME";

  private final Path root;

  Installation(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The installation this process runs from, or empty when not started by the launcher. */
  static Optional<Installation> fromEnv(Map<String, String> env) {
    String home = env.get(HOME_ENV);
    if (home == null || home.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(new Installation(Path.of(home)));
  }

  Path root() {
    return root;
  }

  Path current() {
    return root.resolve("current");
  }

  Path versions() {
    return root.resolve("versions");
  }

  Path staging() {
    return root.resolve("staging");
  }

  private Path state(String name) {
    return root.resolve("state").resolve(name);
  }

  /** The folder name {@code current} points at, or empty. */
  Optional<String> currentVersion() {
    try {
      Path target = Files.readSymbolicLink(current());
      Path name = target.getFileName();
      return name == null ? Optional.empty() : Optional.of(name.toString());
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /** The versions the launcher rolled back here: never offered again. */
  Set<SemVer> refused() {
    Set<SemVer> refused = new HashSet<>();
    try {
      for (String line : Files.readAllLines(state("refused"), StandardCharsets.UTF_8)) {
        SemVer.parse(line.strip()).ifPresent(refused::add);
      }
    } catch (NoSuchFileException e) {
      // Nothing refused yet.
    } catch (IOException e) {
      // Unreadable: treat as empty; a refused build that is offered again is rolled back again.
    }
    return refused;
  }

  /**
   * Whether {@code version} is on probation: installed by an update and not yet started up, so the
   * launcher will roll it back if it exits before {@link #markStarted}.
   */
  boolean onProbation(String version) {
    try {
      String[] words = Files.readString(state("probation")).strip().split("\\s+");
      return words.length > 0 && words[0].equals(version);
    } catch (IOException e) {
      return false; // no probation file: not on probation
    }
  }

  /**
   * Records that {@code version} finished start-up: welcomed, or, not approved yet, answered by the
   * studio ({@link AutoUpdate#startedUp}).
   */
  void markStarted(String version) throws IOException {
    writeAtomically(state("started"), version + "\n");
  }

  /**
   * Unpacks a verified build beside the others and points {@code current} at it; records the
   * probation the launcher enforces on the next start.
   *
   * @return the new version's folder
   */
  Path install(Path archive, SemVer version) throws IOException {
    Files.createDirectories(versions());
    Path target = versions().resolve(version.toString());
    Path partial = versions().resolve("." + version + "-" + UUID.randomUUID() + ".partial");
    try {
      TarGz.unpack(archive, partial);
      if (!Files.isExecutable(partial.resolve("bin/studio-worker"))) {
        throw new IOException("the build has no executable bin/studio-worker; refusing it");
      }
      if (Files.exists(target)) {
        // A leftover from an earlier try of the same version (never the running one: it is older).
        deleteTree(target);
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(partial);
    }
    String previous = currentVersion().orElse("");
    writeAtomically(state("probation"), version + " " + previous + "\n");
    switchCurrent(version.toString());
    return target;
  }

  /**
   * Points {@code current} at {@code versions/<name>}: a new link beside it, renamed over it, so
   * that a reader sees the old target or the new one, never neither.
   */
  void switchCurrent(String name) throws IOException {
    Path link = current();
    Path temp = root.resolve(".current-" + UUID.randomUUID());
    Files.createSymbolicLink(temp, Path.of("versions", name));
    try {
      Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temp, text, StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Left behind; the next install of that version removes it.
    }
  }
}
