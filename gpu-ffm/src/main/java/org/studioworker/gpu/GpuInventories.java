package org.studioworker.gpu;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Picks the best GPU inventory for this machine.
 *
 * <p>NVML first ({@code libnvidia-ml.so.1}: the library named by {@code STUDIO_WORKER_NVML_LIB} or
 * the system property {@code studio.worker.nvml.lib}, else the system loader's, else {@code
 * /usr/local/nvidia/lib64}, {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}); then the DRM
 * sysfs files for AMD cards; else an inventory with no GPU that says why. Never throws for a
 * missing or broken driver.
 *
 * <p>Blocks the caller while the library loads and for the first reading (at most 10 s). The
 * returned NVML inventory reads in the background every 5 s and retries a failed {@code nvmlInit}
 * every 60 s.
 */
public final class GpuInventories {
  private GpuInventories() {}

  /**
   * Detects the GPUs.
   *
   * @param env the process environment ({@code System.getenv()})
   * @param systemProperties the system properties ({@code System.getProperties()})
   */
  public static GpuDetection detect(Map<String, String> env, Properties systemProperties) {
    return detect(DetectSettings.of(env, systemProperties));
  }

  static GpuDetection detect(DetectSettings settings) {
    NvmlLocator.Located located;
    try {
      located = NvmlLocator.locate(settings);
    } catch (RuntimeException e) {
      // E.g. IllegalCallerException when the JVM denies this module native access.
      located =
          new NvmlLocator.Missing(
              "NVML cannot be loaded ("
                  + e
                  + "); the JVM needs --enable-native-access=org.studioworker.gpu");
    }
    String nvmlProblem;
    NvmlGpuInventory nvml = null;
    switch (located) {
      case NvmlLocator.Found(NvmlLibrary library) -> {
        nvml =
            new NvmlGpuInventory(
                library, settings.clock(), settings.refreshEvery(), settings.retryInitEvery());
        GpuSnapshot first = nvml.refresh(settings.firstReadWait());
        String from = " from " + library.location();
        if (first.source().equals(NvmlReader.SOURCE)) {
          String found =
              "NVML "
                  + (first.driverVersion() == null ? "" : first.driverVersion() + " ")
                  + from.strip()
                  + ": "
                  + describe(first);
          return new GpuDetection(
              nvml, found, first.devices().isEmpty() ? "NVML" + from + " lists no GPU" : null);
        }
        nvmlProblem = "NVML" + from + ": " + first.note();
      }
      case NvmlLocator.Missing(String reason) -> nvmlProblem = "no NVML: " + reason;
    }
    SysfsGpuInventory sysfs = new SysfsGpuInventory(settings.sysfsRoot(), settings.clock());
    GpuSnapshot fromSysfs = sysfs.snapshot();
    if (!fromSysfs.devices().isEmpty()) {
      if (nvml != null) {
        nvml.close();
      }
      return new GpuDetection(
          sysfs,
          "sysfs " + settings.sysfsRoot() + ": " + describe(fromSysfs),
          nvmlProblem + "; GPU memory is read from sysfs instead");
    }
    if (nvml != null) {
      // Keep the NVML inventory: it tries nvmlInit again and lists the GPUs once it succeeds.
      return new GpuDetection(nvml, "no GPU listed yet: " + nvmlProblem, nvmlProblem);
    }
    String none = nvmlProblem + "; " + fromSysfs.note();
    return new GpuDetection(new NoGpuInventory(none), "no GPU: " + none, "no GPU found: " + none);
  }

  private static String describe(GpuSnapshot snapshot) {
    int count = snapshot.devices().size();
    return String.format(
        Locale.ROOT, "%d GPU%s, %.1f GB", count, count == 1 ? "" : "s", snapshot.totalGb());
  }
}
