package org.studioworker.executors.sdcpp;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Checks, without loading it, whether the Vulkan loader ({@code libvulkan.so.1}) that sd-cli's
 * Vulkan backend needs is installed.
 *
 * <p>Why not {@code SymbolLookup.libraryLookup}? It is a restricted method: every launcher would
 * have to grant this plugin module native access, and it would load the library into the worker.
 * The dynamic linker finds the loader in {@code LD_LIBRARY_PATH}, the usual library folders or its
 * cache ({@code ldconfig -p}); so do we. Blocks for at most one {@code ldconfig} run (5 s cap), and
 * only when the file checks miss. Stateless and thread-safe.
 */
final class VulkanLoaderProbe {
  static final String LIBRARY = "libvulkan.so.1";

  static final String REMEDY = "install the Vulkan loader: apt-get install libvulkan1";

  private static final List<String> USUAL_FOLDERS =
      List.of(
          "/usr/lib/x86_64-linux-gnu",
          "/lib/x86_64-linux-gnu",
          "/usr/lib/aarch64-linux-gnu",
          "/lib/aarch64-linux-gnu",
          "/usr/lib64",
          "/lib64",
          "/usr/lib",
          "/lib",
          "/usr/local/lib");

  /** The answer: whether the loader is there, and where, or the remedy. */
  record Check(boolean ok, String detail) {
    static Check found(String where) {
      return new Check(true, LIBRARY + " found (" + where + ")");
    }

    static Check missing() {
      return new Check(false, LIBRARY + " is missing; " + REMEDY);
    }
  }

  private final List<Path> folders;
  private final Supplier<String> ldconfigCache;

  VulkanLoaderProbe(List<Path> folders, Supplier<String> ldconfigCache) {
    this.folders = List.copyOf(folders);
    this.ldconfigCache = ldconfigCache;
  }

  /** The probe for this machine: {@code LD_LIBRARY_PATH}, the usual folders, {@code ldconfig}. */
  static VulkanLoaderProbe forMachine(Map<String, String> env) {
    List<Path> folders = new ArrayList<>();
    for (String dir : env.getOrDefault("LD_LIBRARY_PATH", "").split(File.pathSeparator, -1)) {
      addFolder(folders, dir);
    }
    for (String dir : USUAL_FOLDERS) {
      addFolder(folders, dir);
    }
    return new VulkanLoaderProbe(folders, VulkanLoaderProbe::ldconfigPrint);
  }

  Check check() {
    for (Path folder : folders) {
      Path library = folder.resolve(LIBRARY);
      if (Files.exists(library)) {
        return Check.found(library.toString());
      }
    }
    for (String line : ldconfigCache.get().split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith(LIBRARY + " ")) {
        return Check.found("ldconfig: " + trimmed);
      }
    }
    return Check.missing();
  }

  private static void addFolder(List<Path> folders, String dir) {
    if (dir.isBlank()) {
      return;
    }
    try {
      folders.add(Path.of(dir));
    } catch (InvalidPathException e) {
      // A malformed LD_LIBRARY_PATH entry is one the dynamic linker cannot use either.
    }
  }

  /** The output of {@code ldconfig -p}, or the empty string when it cannot be had in 5 s. */
  private static String ldconfigPrint() {
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
      if (ldconfig.startsWith("/") && !Files.isExecutable(Path.of(ldconfig))) {
        continue;
      }
      Path out = null;
      try {
        // Into a file, not a pipe: a wait on a pipe could not be bounded.
        out = Files.createTempFile("ldconfig-", ".txt");
        Process process =
            new ProcessBuilder(ldconfig, "-p")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .start();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return "";
        }
        return Files.readString(out, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        // Not at this path; try the next one.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      } finally {
        if (out != null) {
          try {
            Files.deleteIfExists(out);
          } catch (IOException e) {
            // A stray temp file of a few KB; the OS cleans its temp folder.
          }
        }
      }
    }
    return "";
  }
}
