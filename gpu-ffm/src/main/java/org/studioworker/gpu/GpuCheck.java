package org.studioworker.gpu;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Checks the NVML binding on a real GPU: prints the inventory as JSON next to nvidia-smi's view of
 * the same GPUs, fails when total or free memory differ by more than 1 %, and prints the mean
 * latency of one memory read. Run by {@code scripts/gpu-check.sh}.
 *
 * <p>Usage: {@code GpuCheck [--smi-csv FILE] [--calls N]}; with {@code --smi-csv} it compares with
 * saved nvidia-smi output instead of running nvidia-smi. Exit status: 0 agree, 1 differ, 2 cannot
 * check (no NVML GPU, no nvidia-smi, bad arguments). Blocks; single-threaded apart from the
 * inventory's native thread.
 */
final class GpuCheck {
  static final int AGREE = 0;
  static final int DIFFER = 1;
  static final int CANNOT_CHECK = 2;

  private static final double TOLERANCE = 0.01;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int DEFAULT_CALLS = 10_000;

  private GpuCheck() {}

  static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.getProperties(), System.out, System.err));
  }

  static int run(
      String[] args,
      Map<String, String> env,
      Properties properties,
      PrintStream out,
      PrintStream err) {
    Path smiCsv = null;
    int calls = DEFAULT_CALLS;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--smi-csv" -> smiCsv = Path.of(value(args, ++i));
          case "--calls" -> calls = Integer.parseInt(value(args, ++i));
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (calls <= 0) {
        throw new IllegalArgumentException("--calls must be positive");
      }
    } catch (IllegalArgumentException e) {
      err.println("gpu-check: " + e.getMessage());
      err.println("usage: GpuCheck [--smi-csv FILE] [--calls N]");
      return CANNOT_CHECK;
    }

    GpuDetection detection = GpuInventories.detect(env, properties);
    try (GpuInventory inventory = detection.inventory()) {
      GpuSnapshot snapshot = inventory.refresh(WAIT);
      out.println("# studio-worker GPU inventory: " + detection.summary());
      out.println(snapshot.toJson());
      String csv;
      try {
        // Read right after NVML, so that free memory has little time to move in between.
        csv = smiCsv != null ? Files.readString(smiCsv, StandardCharsets.UTF_8) : runNvidiaSmi();
      } catch (IOException e) {
        err.println("gpu-check: " + e.getMessage());
        return CANNOT_CHECK;
      }
      out.println("# nvidia-smi " + String.join(" ", NvidiaSmiReport.QUERY));
      out.println(csv.strip());
      if (!(inventory instanceof NvmlGpuInventory nvml)
          || !snapshot.source().equals(NvmlReader.SOURCE)
          || snapshot.devices().isEmpty()) {
        err.println(
            "gpu-check: NVML lists no GPU, nothing to compare: "
                + (detection.warning() == null ? snapshot.note() : detection.warning()));
        return CANNOT_CHECK;
      }
      NvidiaSmiReport.Comparison comparison;
      try {
        comparison = NvidiaSmiReport.parse(csv).compare(snapshot, TOLERANCE);
      } catch (IllegalArgumentException e) {
        err.println("gpu-check: cannot read the nvidia-smi output: " + e.getMessage());
        return CANNOT_CHECK;
      }
      out.println("# comparison (values agree within 1 percent of the GPU's total memory)");
      comparison.lines().forEach(out::println);
      int first = snapshot.devices().getFirst().index();
      Double meanNanos = nvml.meanMemoryReadNanos(first, calls, WAIT);
      out.println(
          meanNanos == null
              ? "# mean memory read: could not be measured"
              : String.format(
                  Locale.ROOT,
                  "# mean memory read (%s, GPU %d): %.2f µs over %d calls, after as many to warm up",
                  nvml.memorySymbol(),
                  first,
                  meanNanos / 1000.0,
                  calls));
      if (!comparison.agrees()) {
        err.println("gpu-check: NVML and nvidia-smi disagree by more than 1 percent");
        return DIFFER;
      }
      return AGREE;
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static String runNvidiaSmi() throws IOException {
    List<String> command = new ArrayList<>();
    command.add("nvidia-smi");
    command.addAll(NvidiaSmiReport.QUERY);
    Process smi;
    try {
      smi = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(
          "nvidia-smi not found on the PATH; this check needs an NVIDIA GPU and its driver", e);
    }
    String output = new String(smi.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!smi.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        smi.destroyForcibly();
        throw new IOException("nvidia-smi did not finish in " + WAIT.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for nvidia-smi", e);
    }
    if (smi.exitValue() != 0) {
      throw new IOException("nvidia-smi failed (" + smi.exitValue() + "): " + output.strip());
    }
    return output;
  }
}
