package org.studioworker.runtime.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * A machine for the sd-cpp engine, laid out under a test folder: a stand-in {@code sd-cli} script,
 * an empty {@code libvulkan.so.1} (the engine checks that the loader can be found before it claims
 * image jobs) and a models root whose {@code sd-cpp-models.txt} lists {@code tiny-diffusion}.
 *
 * @param env what a worker process needs to find them
 * @param models the models root
 */
record SdCliStandIn(Map<String, String> env, Path models) {
  /** Lays the machine out under {@code dir} with {@code script} as the body of {@code sd-cli}. */
  static SdCliStandIn create(Path dir, String script) throws IOException {
    Path sdCli = Files.createDirectories(dir.resolve("bin")).resolve("sd-cli");
    Files.writeString(sdCli, script);
    Files.setPosixFilePermissions(sdCli, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path libs = Files.createDirectories(dir.resolve("lib"));
    Files.writeString(libs.resolve("libvulkan.so.1"), "");
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.writeString(models.resolve("sd-cpp-models.txt"), "tiny-diffusion\n");
    return new SdCliStandIn(
        Map.of("STUDIO_WORKER_SD_CLI", sdCli.toString(), "LD_LIBRARY_PATH", libs.toString()),
        models);
  }
}
