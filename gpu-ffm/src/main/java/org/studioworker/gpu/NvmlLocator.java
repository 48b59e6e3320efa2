package org.studioworker.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and binds {@code libnvidia-ml.so.1}.
 *
 * <p>Order: the library the operator named (and only that one, when named); else the system
 * loader's search; else each of the search folders. Stateless; blocks while the loader opens a
 * library.
 */
final class NvmlLocator {
  private NvmlLocator() {}

  /** The outcome of a search. */
  sealed interface Located {}

  /** A bound library. */
  record Found(NvmlLibrary library) implements Located {}

  /** No usable library, and why, in one line. */
  record Missing(String reason) implements Located {}

  static Located locate(DetectSettings settings) {
    Path explicit = settings.explicitLibrary();
    if (explicit != null) {
      String where = settings.explicitFrom() + "=" + explicit;
      try {
        return new Found(open(explicit.toAbsolutePath().toString(), where, true));
      } catch (NvmlException | IllegalArgumentException e) {
        return new Missing(where + " cannot be used: " + e.getMessage());
      }
    }
    List<String> tried = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    tried.add("the system loader");
    try {
      return new Found(
          open(settings.loaderName(), settings.loaderName() + " (system loader)", false));
    } catch (IllegalArgumentException notOnLoaderPath) {
      // The usual case without a driver; the folders below come next.
    } catch (NvmlException e) {
      failures.add(e.getMessage());
    }
    for (Path dir : settings.searchDirs()) {
      Path candidate = dir.resolve(settings.loaderName());
      tried.add(dir.toString());
      if (!Files.exists(candidate)) {
        continue;
      }
      try {
        return new Found(open(candidate.toString(), candidate.toString(), true));
      } catch (NvmlException | IllegalArgumentException e) {
        failures.add(candidate + ": " + e.getMessage());
      }
    }
    StringBuilder reason =
        new StringBuilder(settings.loaderName())
            .append(" not found (looked in ")
            .append(String.join(", ", tried))
            .append(')');
    for (String failure : failures) {
      reason.append("; ").append(failure);
    }
    return new Missing(reason.toString());
  }

  // The arena outlives this method on purpose: the bound library owns it and closes it.
  // Native access is granted to this module by the launcher (and by surefire for the tests).
  @SuppressWarnings({"MustBeClosedChecker", "restricted"})
  private static NvmlLibrary open(String nameOrPath, String where, boolean isPath)
      throws NvmlException {
    Arena arena = Arena.ofShared();
    SymbolLookup lookup;
    try {
      lookup =
          isPath
              ? SymbolLookup.libraryLookup(Path.of(nameOrPath), arena)
              : SymbolLookup.libraryLookup(nameOrPath, arena);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
    return NvmlLibrary.bind(lookup, arena, where);
  }
}
