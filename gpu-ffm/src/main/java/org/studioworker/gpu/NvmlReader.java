package org.studioworker.gpu;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads one {@link GpuSnapshot} from an initialised NVML library.
 *
 * <p>Runs on the caller's thread, which must be the library's native thread; blocks for the
 * duration of the native calls. A field the device does not support ({@link
 * NvmlStatus#NOT_SUPPORTED}) is null; so is a utilisation, temperature or UUID that fails for
 * another reason, which the snapshot's note then names. A device whose handle, name or memory
 * cannot be read for a reason other than "not supported" is left out, and the note says why.
 */
final class NvmlReader {
  /** {@code source} of every snapshot read through NVML. */
  static final String SOURCE = "nvml";

  private NvmlReader() {}

  /**
   * Reads every device.
   *
   * @throws NvmlException when even the device count cannot be read
   */
  static GpuSnapshot read(NvmlLibrary nvml, Instant now) throws NvmlException {
    List<String> problems = new ArrayList<>();
    String driver = null;
    try {
      driver = nvml.driverVersion();
    } catch (NvmlException e) {
      noteUnlessUnsupported(problems, "driver", e);
    }
    int count = nvml.deviceCount();
    List<GpuDevice> devices = new ArrayList<>(count);
    for (int index = 0; index < count; index++) {
      GpuDevice device = readDevice(nvml, index, problems);
      if (device != null) {
        devices.add(device);
      }
    }
    String note = problems.isEmpty() ? null : String.join("; ", problems);
    if (devices.isEmpty() && note == null) {
      note = "NVML lists no GPU";
    }
    return new GpuSnapshot(SOURCE, devices, driver, note, now);
  }

  private static @Nullable GpuDevice readDevice(
      NvmlLibrary nvml, int index, List<String> problems) {
    String where = "GPU " + index;
    MemorySegment handle;
    String name;
    try {
      handle = nvml.deviceHandle(index);
      name = nvml.name(handle);
    } catch (NvmlException e) {
      problems.add(where + " left out: " + e.getMessage());
      return null;
    }
    long total = 0;
    Long free = null;
    Long used = null;
    try {
      NvmlLibrary.NvmlMemory memory = nvml.memory(handle);
      total = memory.total();
      free = memory.free();
      used = memory.used();
    } catch (NvmlException e) {
      if (e.status() != NvmlStatus.NOT_SUPPORTED) {
        problems.add(where + " left out: " + e.getMessage());
        return null;
      }
    }
    String uuid = null;
    try {
      uuid = nvml.uuid(handle);
    } catch (NvmlException e) {
      noteUnlessUnsupported(problems, where, e);
    }
    Integer utilisation = null;
    try {
      utilisation = nvml.utilisationPercent(handle);
    } catch (NvmlException e) {
      noteUnlessUnsupported(problems, where, e);
    }
    Integer temperature = null;
    try {
      temperature = nvml.temperatureCelsius(handle);
    } catch (NvmlException e) {
      noteUnlessUnsupported(problems, where, e);
    }
    return new GpuDevice(index, name, uuid, total, free, used, utilisation, temperature);
  }

  private static void noteUnlessUnsupported(List<String> problems, String where, NvmlException e) {
    // "Not supported" (or a symbol this driver lacks) is a property of the card, not a problem.
    if (e.status() != NvmlStatus.NOT_SUPPORTED && e.status() != NvmlStatus.FUNCTION_NOT_FOUND) {
      problems.add(where + ": " + e.getMessage());
    }
  }
}
