package org.studioworker.gpu;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * What {@link GpuInventories#detect} looks at and how the inventory it returns behaves.
 *
 * @param explicitLibrary the NVML library the operator named, or null
 * @param explicitFrom where that name came from (the variable or property), for messages
 * @param loaderName the name handed to the system loader ({@code libnvidia-ml.so.1})
 * @param searchDirs folders tried, in order, when the system loader does not find it
 * @param sysfsRoot the DRM class folder read when NVML is unavailable
 * @param clock the time of readings and of init retries
 * @param refreshEvery how often an NVML inventory reads in the background; zero: only on refresh
 * @param retryInitEvery the least time between two {@code nvmlInit} tries
 * @param firstReadWait how long detection waits for the first NVML reading
 */
record DetectSettings(
    @Nullable Path explicitLibrary,
    String explicitFrom,
    String loaderName,
    List<Path> searchDirs,
    Path sysfsRoot,
    InstantSource clock,
    Duration refreshEvery,
    Duration retryInitEvery,
    Duration firstReadWait) {
  /** The environment variable naming the NVML library. */
  static final String LIBRARY_ENV = "STUDIO_WORKER_NVML_LIB";

  /** The system property naming the NVML library. */
  static final String LIBRARY_PROPERTY = "studio.worker.nvml.lib";

  /** The library's name for the system loader. */
  static final String LOADER_NAME = "libnvidia-ml.so.1";

  /** Where drivers put the library when the loader's path does not say (containers, RHEL). */
  static final List<Path> SEARCH_DIRS =
      List.of(
          Path.of("/usr/local/nvidia/lib64"),
          Path.of("/usr/lib/x86_64-linux-gnu"),
          Path.of("/usr/lib64"));

  // Why 60 s: nvmlInit on a machine without the driver costs a few milliseconds and a kernel
  // module probe; once a minute picks up a driver loaded after start without noise.
  static final Duration RETRY_INIT_EVERY = Duration.ofSeconds(60);

  // Why 5 s: capabilities go out with each heartbeat; admission calls refresh() itself.
  static final Duration REFRESH_EVERY = Duration.ofSeconds(5);

  // Why 10 s: nvmlInit on a large machine (8 GPUs, persistence mode off) takes seconds.
  static final Duration FIRST_READ_WAIT = Duration.ofSeconds(10);

  DetectSettings {
    Objects.requireNonNull(explicitFrom, "explicitFrom");
    Objects.requireNonNull(loaderName, "loaderName");
    searchDirs = List.copyOf(searchDirs);
    Objects.requireNonNull(sysfsRoot, "sysfsRoot");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(refreshEvery, "refreshEvery");
    Objects.requireNonNull(retryInitEvery, "retryInitEvery");
    Objects.requireNonNull(firstReadWait, "firstReadWait");
  }

  /**
   * The production settings: the library named by {@value #LIBRARY_ENV}, else by {@value
   * #LIBRARY_PROPERTY}, else found by the loader or in {@link #SEARCH_DIRS}.
   */
  static DetectSettings of(Map<String, String> env, Properties systemProperties) {
    Path explicit = null;
    String from = LIBRARY_ENV;
    String fromEnv = env.get(LIBRARY_ENV);
    String fromProperty = systemProperties.getProperty(LIBRARY_PROPERTY);
    if (fromEnv != null && !fromEnv.isBlank()) {
      explicit = Path.of(fromEnv.strip());
    } else if (fromProperty != null && !fromProperty.isBlank()) {
      explicit = Path.of(fromProperty.strip());
      from = LIBRARY_PROPERTY;
    }
    return new DetectSettings(
        explicit,
        from,
        LOADER_NAME,
        SEARCH_DIRS,
        SysfsGpuInventory.DEFAULT_ROOT,
        InstantSource.system(),
        REFRESH_EVERY,
        RETRY_INIT_EVERY,
        FIRST_READ_WAIT);
  }
}
