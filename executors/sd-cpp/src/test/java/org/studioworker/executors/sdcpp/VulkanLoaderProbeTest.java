package org.studioworker.executors.sdcpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class VulkanLoaderProbeTest {
  @TempDir Path temp;

  @Test
  void findsTheLoaderInALibraryFolder() throws IOException {
    Path libs = Files.createDirectories(temp.resolve("lib"));
    Files.write(libs.resolve("libvulkan.so.1"), new byte[] {0x7F, 'E', 'L', 'F'});

    VulkanLoaderProbe.Check check =
        new VulkanLoaderProbe(List.of(temp.resolve("empty"), libs), () -> "").check();

    assertThat(check.ok()).isTrue();
    assertThat(check.detail())
        .isEqualTo("libvulkan.so.1 found (" + libs.resolve("libvulkan.so.1") + ")");
  }

  @Test
  void findsTheLoaderInTheLinkerCache() {
    String cache =
        """
        1234 libs found in cache `/etc/ld.so.cache'
        \tlibvulkan.so.1 (libc6,x86-64) => /opt/vendor/lib/libvulkan.so.1
        \tlibvulkan_radeon.so (libc6,x86-64) => /usr/lib/libvulkan_radeon.so
        """;

    VulkanLoaderProbe.Check check = new VulkanLoaderProbe(List.of(), () -> cache).check();

    assertThat(check.ok()).isTrue();
    assertThat(check.detail()).contains("/opt/vendor/lib/libvulkan.so.1");
  }

  @Test
  void saysTheRemedyWhenTheLoaderIsMissing() {
    String cache = "\tlibvulkan_radeon.so (libc6,x86-64) => /usr/lib/libvulkan_radeon.so\n";

    VulkanLoaderProbe.Check check =
        new VulkanLoaderProbe(List.of(temp.resolve("nothing")), () -> cache).check();

    assertThat(check.ok()).isFalse();
    assertThat(check.detail())
        .isEqualTo(
            "libvulkan.so.1 is missing; install the Vulkan loader: apt-get install libvulkan1");
  }
}
