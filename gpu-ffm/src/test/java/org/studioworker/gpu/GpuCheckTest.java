package org.studioworker.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-GPU check, run here against the fake library and saved nvidia-smi output. */
final class GpuCheckTest {
  // What nvidia-smi prints for the two fake GPUs (24 GiB with 20 GiB free, 8 GiB with 6 GiB free).
  private static final String SMI_AGREES =
      """
      name, uuid, memory.total [MiB], memory.used [MiB], memory.free [MiB], driver_version
      Fake GPU 24GB, GPU-00000000-1111-2222-3333-444444444444, 24576 MiB, 3584 MiB, 20480 MiB, 550.54.15
      Fake "Quoted" GPU 8GB, GPU-55555555-6666-7777-8888-999999999999, 8192 MiB, 1792 MiB, 6144 MiB, 550.54.15
      """;

  @TempDir static Path dir;

  private static FakeNvml fake;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void compileFake() throws Exception {
    Assumptions.assumeTrue(FakeNvml.gccAvailable(), FakeNvml.NO_GCC);
    fake = FakeNvml.build(dir.resolve("fake"), false);
  }

  @AfterAll
  static void closeFake() {
    if (fake != null) {
      fake.close();
    }
  }

  @BeforeEach
  void resetFake() {
    fake.reset();
  }

  private int check(String smiCsv, String... extra) throws Exception {
    Path csv = Files.writeString(Files.createTempFile(dir, "smi", ".csv"), smiCsv);
    String[] args = new String[2 + extra.length];
    args[0] = "--smi-csv";
    args[1] = csv.toString();
    System.arraycopy(extra, 0, args, 2, extra.length);
    return GpuCheck.run(
        args,
        Map.of(DetectSettings.LIBRARY_ENV, fake.library().toString()),
        new Properties(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void agreeingNumbersPassAndTheLatencyIsPrinted() throws Exception {
    int status = check(SMI_AGREES, "--calls", "100");

    assertThat(status).isEqualTo(GpuCheck.AGREE);
    assertThat(out())
        .contains("{\"source\":\"nvml\",\"driver\":\"550.54.15\"")
        .contains(
            "GPU 0 GPU-00000000-1111-2222-3333-444444444444: total 24576 MiB (NVML) vs 24576 MiB"
                + " (nvidia-smi) ok; free 20480 MiB (NVML) vs 20480 MiB (nvidia-smi) ok")
        .containsPattern(
            "# mean memory read \\(nvmlDeviceGetMemoryInfo_v2, GPU 0\\): [0-9.]+ µs"
                + " over 100 calls");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void freeMemoryOffByMoreThanOnePercentOfTotalFails() throws Exception {
    // 20480 - 1% of 24576 (245.76) = 20234.24: 20234 MiB is just outside.
    int status = check(SMI_AGREES.replace("20480 MiB", "20234 MiB"));

    assertThat(status).isEqualTo(GpuCheck.DIFFER);
    assertThat(out()).contains("free 20480 MiB (NVML) vs 20234 MiB (nvidia-smi) DIFFERS");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("NVML and nvidia-smi disagree by more than 1 percent");
  }

  @Test
  void freeMemoryWithinOnePercentOfTotalPasses() throws Exception {
    assertThat(check(SMI_AGREES.replace("20480 MiB", "20235 MiB"))).isEqualTo(GpuCheck.AGREE);
  }

  @Test
  void aGpuMissingFromNvidiaSmiFails() throws Exception {
    String oneGpu = SMI_AGREES.lines().limit(2).reduce("", (a, b) -> a + b + "\n");

    assertThat(check(oneGpu)).isEqualTo(GpuCheck.DIFFER);
    assertThat(out()).contains("GPU count differs: NVML lists 2, nvidia-smi lists 1");
  }

  @Test
  void withoutNvmlTheCheckCannotRunAndSaysWhy() throws Exception {
    Path csv = Files.writeString(dir.resolve("agrees.csv"), SMI_AGREES);

    int status =
        GpuCheck.run(
            new String[] {"--smi-csv", csv.toString()},
            Map.of(DetectSettings.LIBRARY_ENV, dir.resolve("absent.so").toString()),
            new Properties(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(GpuCheck.CANNOT_CHECK);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("gpu-check: NVML lists no GPU, nothing to compare: ")
        .contains("STUDIO_WORKER_NVML_LIB=" + dir.resolve("absent.so"));
  }

  @Test
  void unknownArgumentIsRefusedWithUsage() throws Exception {
    assertThat(check(SMI_AGREES, "--bogus")).isEqualTo(GpuCheck.CANNOT_CHECK);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: GpuCheck");
  }

  @Test
  void parsesNvidiaSmiCsvAndRefusesOtherText() {
    NvidiaSmiReport report = NvidiaSmiReport.parse(SMI_AGREES);

    assertThat(report.rows())
        .containsExactly(
            new NvidiaSmiReport.Row(
                "Fake GPU 24GB",
                "GPU-00000000-1111-2222-3333-444444444444",
                24576,
                3584,
                20480,
                "550.54.15"),
            new NvidiaSmiReport.Row(
                "Fake \"Quoted\" GPU 8GB",
                "GPU-55555555-6666-7777-8888-999999999999",
                8192,
                1792,
                6144,
                "550.54.15"));
    assertThatThrownBy(() -> NvidiaSmiReport.parse("No devices were found"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
