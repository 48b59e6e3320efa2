package org.studioworker.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The GPU inventory read from the kernel's DRM sysfs files, for cards that NVML does not cover
 * (AMD's {@code amdgpu}, and any driver that writes the same files).
 *
 * <p>Per card {@code <root>/cardN/device/}: {@code mem_info_vram_total} (required; a card without
 * it is not listed), {@code mem_info_vram_used}, {@code gpu_busy_percent}, {@code product_name},
 * {@code unique_id} and {@code hwmon/hwmon*}{@code /temp1_input}, each optional. Thread-safe: the
 * snapshot is volatile. Reads are plain file reads on the caller's thread, in {@link
 * #refresh(Duration)} only; {@link #snapshot()} never blocks.
 */
final class SysfsGpuInventory implements GpuInventory {
  /** {@code source} of every snapshot read from sysfs. */
  static final String SOURCE = "sysfs";

  /** Where the kernel lists DRM devices. */
  static final Path DEFAULT_ROOT = Path.of("/sys/class/drm");

  private static final Pattern CARD = Pattern.compile("card(\\d+)");

  private final Path root;
  private final InstantSource clock;

  /** The latest reading; replaced whole by {@link #refresh(Duration)}. */
  private volatile GpuSnapshot snapshot;

  /** Reads the cards once, on the calling thread. */
  SysfsGpuInventory(Path root, InstantSource clock) {
    this.root = Objects.requireNonNull(root, "root");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.snapshot = read();
  }

  @Override
  public GpuSnapshot snapshot() {
    return snapshot;
  }

  /** Reads the files again on the calling thread (a few small reads; {@code maxWait} unused). */
  @Override
  public GpuSnapshot refresh(Duration maxWait) {
    GpuSnapshot reading = read();
    snapshot = reading;
    return reading;
  }

  @Override
  public void close() {
    // Nothing native is held.
  }

  private GpuSnapshot read() {
    List<GpuDevice> devices = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (DirectoryStream<Path> cards = Files.newDirectoryStream(root)) {
        for (Path card : cards) {
          var match = CARD.matcher(card.getFileName().toString());
          if (match.matches()) {
            GpuDevice device = readCard(Integer.parseInt(match.group(1)), card.resolve("device"));
            if (device != null) {
              devices.add(device);
            }
          }
        }
      } catch (IOException | NumberFormatException e) {
        return new GpuSnapshot(
            "none", List.of(), null, "cannot list " + root + ": " + e, clock.instant());
      }
    }
    devices.sort(Comparator.comparingInt(GpuDevice::index));
    String note = devices.isEmpty() ? "no card in " + root + " reports mem_info_vram_total" : null;
    return new GpuSnapshot(
        devices.isEmpty() ? "none" : SOURCE, devices, null, note, clock.instant());
  }

  private static @Nullable GpuDevice readCard(int index, Path device) {
    Long total = number(device.resolve("mem_info_vram_total"));
    if (total == null) {
      return null;
    }
    Long used = number(device.resolve("mem_info_vram_used"));
    Long free = used == null ? null : Math.max(0, total - used);
    Long busy = number(device.resolve("gpu_busy_percent"));
    return new GpuDevice(
        index,
        name(device),
        text(device.resolve("unique_id")),
        total,
        free,
        used,
        busy == null || busy < 0 || busy > 100 ? null : busy.intValue(),
        temperature(device));
  }

  private static String name(Path device) {
    String product = text(device.resolve("product_name"));
    if (product != null) {
      return product;
    }
    String vendor = text(device.resolve("vendor"));
    String model = text(device.resolve("device"));
    String maker =
        switch (vendor == null ? "" : vendor.toLowerCase(Locale.ROOT)) {
          case "0x1002" -> "AMD";
          case "0x8086" -> "Intel";
          case "0x10de" -> "NVIDIA";
          default -> vendor == null ? "unknown vendor" : "vendor " + vendor;
        };
    return maker + " GPU" + (model == null ? "" : " " + model);
  }

  private static @Nullable Integer temperature(Path device) {
    Path hwmon = device.resolve("hwmon");
    if (!Files.isDirectory(hwmon)) {
      return null;
    }
    try (DirectoryStream<Path> sensors = Files.newDirectoryStream(hwmon, "hwmon*")) {
      for (Path sensor : sensors) {
        Long milli = number(sensor.resolve("temp1_input"));
        if (milli != null) {
          return Math.toIntExact(milli / 1000);
        }
      }
    } catch (IOException | ArithmeticException e) {
      return null;
    }
    return null;
  }

  private static @Nullable Long number(Path file) {
    String value = text(file);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static @Nullable String text(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      String value = Files.readString(file, StandardCharsets.UTF_8).strip();
      return value.isEmpty() ? null : value;
    } catch (IOException | RuntimeException e) {
      // Unreadable (permissions, a driver that refuses the read): the field stays unknown.
      return null;
    }
  }
}
