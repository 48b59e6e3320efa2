package org.studioworker.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The output of {@code nvidia-smi --query-gpu=name,uuid,memory.total,memory.used,memory.free,
 * driver_version --format=csv}, and its comparison with an NVML snapshot.
 *
 * <p>Immutable; thread-safe.
 */
record NvidiaSmiReport(List<NvidiaSmiReport.Row> rows) {
  /** The query {@code GpuCheck} runs, as arguments to {@code nvidia-smi}. */
  static final List<String> QUERY =
      List.of(
          "--query-gpu=name,uuid,memory.total,memory.used,memory.free,driver_version",
          "--format=csv");

  private static final long MIB = 1L << 20;

  // nvidia-smi separates fields with ", "; GPU names carry no comma.
  private static final Pattern FIELD_SEPARATOR = Pattern.compile(",\\s*");

  NvidiaSmiReport {
    rows = List.copyOf(rows);
  }

  /** One GPU as nvidia-smi lists it; memory in MiB. */
  record Row(String name, String uuid, long totalMib, long usedMib, long freeMib, String driver) {}

  /**
   * Parses the CSV: a header line, then one line per GPU, values as {@code 81559 MiB}.
   *
   * @throws IllegalArgumentException for a line that does not have the six fields
   */
  static NvidiaSmiReport parse(String csv) {
    List<Row> rows = new ArrayList<>();
    for (String line : csv.strip().lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("name")) {
        continue;
      }
      String[] fields = FIELD_SEPARATOR.split(trimmed, -1);
      if (fields.length != 6) {
        throw new IllegalArgumentException("not a line of the nvidia-smi query: " + trimmed);
      }
      rows.add(
          new Row(fields[0], fields[1], mib(fields[2]), mib(fields[3]), mib(fields[4]), fields[5]));
    }
    return new NvidiaSmiReport(rows);
  }

  /**
   * Compares total and free memory per GPU (matched by UUID, else by position) and returns one line
   * per GPU, or per problem.
   *
   * <p>A value agrees when it is within {@code tolerance} (0.01 for 1 %) of the GPU's total memory
   * as nvidia-smi reports it; free memory is compared against the total, not against itself,
   * because it moves between the two reads and may be near zero.
   */
  Comparison compare(GpuSnapshot snapshot, double tolerance) {
    List<String> lines = new ArrayList<>();
    boolean agree = true;
    if (rows.size() != snapshot.devices().size()) {
      lines.add(
          "GPU count differs: NVML lists "
              + snapshot.devices().size()
              + ", nvidia-smi lists "
              + rows.size());
      agree = false;
    }
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      GpuDevice device = match(snapshot, row, i);
      if (device == null) {
        lines.add("nvidia-smi GPU " + row.uuid() + ": not listed by NVML");
        agree = false;
        continue;
      }
      double allowed = tolerance * row.totalMib() * MIB;
      boolean totalOk = Math.abs(device.totalBytes() - row.totalMib() * MIB) <= allowed;
      Long free = device.freeBytes();
      boolean freeOk = free != null && Math.abs(free - row.freeMib() * MIB) <= allowed;
      agree &= totalOk && freeOk;
      lines.add(
          String.format(
              Locale.ROOT,
              "GPU %d %s: total %d MiB (NVML) vs %d MiB (nvidia-smi) %s; free %s MiB (NVML) vs %d"
                  + " MiB (nvidia-smi) %s",
              device.index(),
              row.uuid(),
              device.totalBytes() / MIB,
              row.totalMib(),
              totalOk ? "ok" : "DIFFERS",
              free == null ? "unknown" : String.valueOf(free / MIB),
              row.freeMib(),
              freeOk ? "ok" : "DIFFERS"));
    }
    return new Comparison(agree, lines);
  }

  /** The outcome of {@link #compare}: whether every value agrees, and what was compared. */
  record Comparison(boolean agrees, List<String> lines) {
    Comparison {
      lines = List.copyOf(lines);
    }
  }

  private static @Nullable GpuDevice match(GpuSnapshot snapshot, Row row, int position) {
    for (GpuDevice device : snapshot.devices()) {
      if (row.uuid().equals(device.uuid())) {
        return device;
      }
    }
    if (position < snapshot.devices().size()) {
      GpuDevice byPosition = snapshot.devices().get(position);
      return byPosition.uuid() == null ? byPosition : null;
    }
    return null;
  }

  private static long mib(String field) {
    String number = field.strip();
    if (number.endsWith("MiB")) {
      number = number.substring(0, number.length() - 3).strip();
    }
    try {
      return Long.parseLong(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a MiB value: " + field, e);
    }
  }
}
