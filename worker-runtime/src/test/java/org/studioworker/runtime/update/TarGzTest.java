package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TarGzTest {
  @TempDir Path dir;

  @Test
  void unpacksWithoutTheTopFolderAndKeepsTheExecutableBit() throws Exception {
    Path archive = write(Builds.build("0.6.0"));
    int files = TarGz.unpack(archive, dir.resolve("out"));
    assertThat(files).isEqualTo(2);
    assertThat(dir.resolve("out/bin/studio-worker")).isExecutable().content().contains("0.6.0");
    assertThat(dir.resolve("out/lib/worker.jar")).hasContent("0.6.0");
    assertThat(Files.isExecutable(dir.resolve("out/lib/worker.jar"))).isFalse();
  }

  @Test
  void unpacksWhatTheSystemTarPacks() throws Exception {
    Path source = dir.resolve("studio-worker-0.6.0");
    Files.createDirectories(source.resolve("bin"));
    String longName = "a-rather-long-folder-name-".repeat(6);
    Files.createDirectories(source.resolve(longName));
    Files.writeString(source.resolve(longName + "/file.txt"), "deep");
    Files.writeString(source.resolve("bin/run"), "#!/bin/sh\n");
    source.resolve("bin/run").toFile().setExecutable(true);
    Path archive = dir.resolve("sys.tar.gz");
    Process tar =
        new ProcessBuilder(
                "tar", "-czf", archive.toString(), "-C", dir.toString(), "studio-worker-0.6.0")
            .redirectErrorStream(true)
            .start();
    assertThat(tar.waitFor()).as(new String(tar.getInputStream().readAllBytes())).isZero();
    TarGz.unpack(archive, dir.resolve("out"));
    assertThat(dir.resolve("out/bin/run")).isExecutable();
    assertThat(dir.resolve("out/" + longName + "/file.txt")).hasContent("deep");
  }

  @Test
  void refusesAPathThatClimbsOutOfTheTarget() throws IOException {
    Path archive =
        write(Builds.tarGz(List.of(new Builds.Entry("top/../../evil", 0644, bytes("x")))));
    assertThatThrownBy(() -> TarGz.unpack(archive, dir.resolve("out")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("outside");
    assertThat(dir.resolve("evil")).doesNotExist();
  }

  @Test
  void refusesAnAbsolutePath() throws IOException {
    Path archive = write(Builds.tarGz(List.of(new Builds.Entry("/etc/evil", 0644, bytes("x")))));
    assertThatThrownBy(() -> TarGz.unpack(archive, dir.resolve("out")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("absolute");
  }

  @Test
  void refusesATruncatedArchive() throws IOException {
    byte[] whole = Builds.build("0.6.0");
    Path archive = write(java.util.Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> TarGz.unpack(archive, dir.resolve("out")))
        .isInstanceOf(IOException.class);
  }

  private Path write(byte[] bytes) throws IOException {
    Path file = Files.createTempFile(dir, "build-", ".tar.gz");
    Files.write(file, bytes);
    return file;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
