package org.studioworker.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.TaskKind;

/**
 * What a worker can run, as sent in {@code hello}, {@code heartbeat} and the registration request.
 *
 * <p>{@code supportedModels} is kept sorted and deduplicated, as the studio expects; the map is
 * kept sorted by kind name so that the encoded JSON is stable.
 *
 * @param engine always {@value #ENGINE} for this worker
 * @param autoEnabled whether the worker claims jobs (not paused, not stopping)
 * @param autoUpdate read by newer studios; omitted when null
 * @param startMinimised read by newer studios; omitted when null
 * @param onlyWhenIdle read by newer studios; omitted when null
 * @param userPresence read by newer studios; omitted when null
 */
public record Capabilities(
    String machineName,
    String username,
    String agentVersion,
    String engine,
    double vramTotalGb,
    double vramThresholdGb,
    boolean autoEnabled,
    boolean autoStart,
    List<String> supportedModels,
    List<TaskKind> taskKinds,
    Map<String, List<String>> supportedModelsPerKind,
    @Nullable Boolean autoUpdate,
    @Nullable Boolean startMinimised,
    @Nullable Boolean onlyWhenIdle,
    @Nullable String userPresence) {

  /** The engine name every worker of this kind reports. */
  public static final String ENGINE = "multi";

  /** Normalises and copies the collections. */
  public Capabilities {
    Objects.requireNonNull(machineName, "machineName");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(engine, "engine");
    finite("vramTotalGb", vramTotalGb);
    finite("vramThresholdGb", vramThresholdGb);
    supportedModels = sortedUnique(supportedModels);
    taskKinds = List.copyOf(taskKinds);
    TreeMap<String, List<String>> perKind = new TreeMap<>();
    supportedModelsPerKind.forEach((kind, models) -> perKind.put(kind, sortedUnique(models)));
    supportedModelsPerKind = java.util.Collections.unmodifiableSortedMap(perKind);
  }

  /**
   * Capabilities built from what the engines serve.
   *
   * @param servedByKind every kind with the models served for it, merged over all engines
   */
  public static Capabilities of(
      String machineName,
      String username,
      String agentVersion,
      double vramTotalGb,
      double vramThresholdGb,
      boolean autoEnabled,
      boolean autoStart,
      Map<TaskKind, ? extends Collection<String>> servedByKind) {
    List<String> all = new ArrayList<>();
    Map<String, List<String>> perKind = new TreeMap<>();
    List<TaskKind> kinds = new ArrayList<>();
    for (TaskKind kind : TaskKind.values()) {
      Collection<String> models = servedByKind.get(kind);
      if (models == null) {
        continue;
      }
      kinds.add(kind);
      all.addAll(models);
      perKind.put(kind.wireName(), List.copyOf(models));
    }
    return new Capabilities(
        machineName,
        username,
        agentVersion,
        ENGINE,
        vramTotalGb,
        vramThresholdGb,
        autoEnabled,
        autoStart,
        all,
        kinds,
        perKind,
        null,
        null,
        null,
        null);
  }

  /** A copy with another {@code autoEnabled}. */
  public Capabilities withAutoEnabled(boolean enabled) {
    return new Capabilities(
        machineName,
        username,
        agentVersion,
        engine,
        vramTotalGb,
        vramThresholdGb,
        enabled,
        autoStart,
        supportedModels,
        taskKinds,
        supportedModelsPerKind,
        autoUpdate,
        startMinimised,
        onlyWhenIdle,
        userPresence);
  }

  /**
   * A copy with the fields that newer studios read; {@code userPresence} is {@code "idle"}, {@code
   * "active"}, or null to leave it out.
   */
  public Capabilities withClientSettings(
      boolean autoUpdate,
      boolean startMinimised,
      boolean onlyWhenIdle,
      @Nullable String userPresence) {
    return new Capabilities(
        machineName,
        username,
        agentVersion,
        engine,
        vramTotalGb,
        vramThresholdGb,
        autoEnabled,
        autoStart,
        supportedModels,
        taskKinds,
        supportedModelsPerKind,
        autoUpdate,
        startMinimised,
        onlyWhenIdle,
        userPresence);
  }

  private static List<String> sortedUnique(Collection<String> values) {
    return List.copyOf(new TreeSet<>(values));
  }

  private static void finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number");
    }
  }
}
