package org.studioworker.spi.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ProgramLocatorTest {
  private final ProgramLocator locator = new ProgramLocator("sd-cli", "STUDIO_WORKER_SD_CLI");

  @TempDir Path temp;

  @Test
  void theEnvironmentVariableWinsOverEveryOtherPlace() throws IOException {
    Path fromEnv = executable(temp.resolve("custom/sd-cli"));
    executable(temp.resolve("models/bin/sd-cli"));

    ProgramLocator.Located located =
        locator.locate(Map.of("STUDIO_WORKER_SD_CLI", fromEnv.toString()), temp.resolve("models"));

    assertThat(located.path()).contains(fromEnv);
  }

  @Test
  void looksInModelsRootThenLocalBinThenPath() throws IOException {
    Path onPath = executable(temp.resolve("path-b/sd-cli"));
    Map<String, String> env =
        Map.of(
            "HOME",
            temp.resolve("home").toString(),
            "PATH",
            temp.resolve("path-a") + ":" + temp.resolve("path-b"));
    assertThat(locator.locate(env, temp.resolve("models")).path()).contains(onPath);

    Path localBin = executable(temp.resolve("home/.local/bin/sd-cli"));
    assertThat(locator.locate(env, temp.resolve("models")).path()).contains(localBin);

    Path modelsBin = executable(temp.resolve("models/bin/sd-cli"));
    assertThat(locator.locate(env, temp.resolve("models")).path()).contains(modelsBin);
  }

  @Test
  void skipsAFileThatIsNotExecutable() throws IOException {
    Path plain = temp.resolve("models/bin/sd-cli");
    Files.createDirectories(plain.getParent());
    Files.writeString(plain, "not a program");

    ProgramLocator.Located located = locator.locate(Map.of("PATH", ""), temp.resolve("models"));

    assertThat(located.path()).isEmpty();
    assertThat(locator.notFound(located))
        .isEqualTo(
            "sd-cli was not found (set STUDIO_WORKER_SD_CLI to its path, or put it on PATH)");
    assertThat(locator.searched(located))
        .startsWith("sd-cli: looked at $STUDIO_WORKER_SD_CLI (not set), " + plain)
        .endsWith("PATH (empty)");
  }

  private static Path executable(Path path) throws IOException {
    Files.createDirectories(path.getParent());
    Files.writeString(path, "#!/bin/sh\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
    return path;
  }
}
