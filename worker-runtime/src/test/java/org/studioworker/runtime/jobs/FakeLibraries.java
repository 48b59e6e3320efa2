package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The compiled fakes of gpu-ffm ({@code fake_nvml.c}, {@code fake_vulkan.c}), built with gcc for
 * tests that run a real worker process against them.
 */
final class FakeLibraries {
  private FakeLibraries() {}

  /** Whether gcc can be run here. */
  static boolean gccAvailable() {
    try {
      Process gcc = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
      gcc.getInputStream().readAllBytes();
      return gcc.waitFor(30, TimeUnit.SECONDS) && gcc.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The fake libnvidia-ml.so.1, in {@code dir/nvml}. */
  static Path nvml(Path dir) throws Exception {
    return compile(dir, "fake_nvml.c", "nvml", "libnvidia-ml.so.1");
  }

  /** The fake libvulkan.so.1, in {@code dir/vulkan}. */
  static Path vulkan(Path dir) throws Exception {
    return compile(dir, "fake_vulkan.c", "vulkan", "libvulkan.so.1");
  }

  private static Path compile(Path dir, String file, String folder, String name) throws Exception {
    Path source = Path.of("../gpu-ffm/src/test/c/" + file).toAbsolutePath().normalize();
    Path lib = Files.createDirectories(dir.resolve(folder)).resolve(name);
    Process gcc =
        new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", lib.toString(), source.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(gcc.getInputStream().readAllBytes());
    assertThat(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0).as(output).isTrue();
    return lib;
  }
}
