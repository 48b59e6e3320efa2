package org.studioworker.gpu;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The view of one GPU of another inventory: every snapshot holds that GPU only, so that the VRAM
 * advertised, the threshold of a fresh config and admission see it alone.
 *
 * <p>The GPU is found once, by {@link #pin}; later readings keep it by UUID (by index for a GPU
 * without one), so a renumbering after a driver reload does not move the pin. A reading that lacks
 * it holds no GPU and says so in its note. Thread-safe as the inventory it wraps; owns that
 * inventory and closes it.
 */
public final class PinnedGpuInventory implements GpuInventory {
  private final GpuInventory inventory;
  private final GpuDevice device;

  private PinnedGpuInventory(GpuInventory inventory, GpuDevice device) {
    this.inventory = inventory;
    this.device = device;
  }

  /**
   * Pins {@code inventory}'s latest reading to the GPU {@code selector} names.
   *
   * @throws NoSuchGpuException when the reading has no such GPU; the message lists those it has
   */
  public static PinnedGpuInventory pin(GpuInventory inventory, GpuSelector selector)
      throws NoSuchGpuException {
    Objects.requireNonNull(inventory, "inventory");
    Objects.requireNonNull(selector, "selector");
    GpuSnapshot now = inventory.snapshot();
    for (GpuDevice candidate : now.devices()) {
      if (selector.matches(candidate)) {
        return new PinnedGpuInventory(inventory, candidate);
      }
    }
    throw new NoSuchGpuException("no such GPU; " + describe(now));
  }

  /** {@code this machine has GPU 0 (NVIDIA A, GPU-aaa…), GPU 1 (…)}, or why it has none. */
  static String describe(GpuSnapshot snapshot) {
    if (snapshot.devices().isEmpty()) {
      return "this machine has no GPU"
          + (snapshot.note() == null ? "" : " (" + snapshot.note() + ")");
    }
    StringJoiner out = new StringJoiner(", ", "this machine has ", "");
    for (GpuDevice gpu : snapshot.devices()) {
      out.add(
          "GPU "
              + gpu.index()
              + " ("
              + gpu.name()
              + (gpu.uuid() == null ? "" : ", " + gpu.uuid())
              + ")");
    }
    return out.toString();
  }

  /** The pinned GPU as it was found at {@link #pin}: its index, UUID and name. */
  public GpuDevice device() {
    return device;
  }

  @Override
  public GpuSnapshot snapshot() {
    return only(inventory.snapshot());
  }

  @Override
  public GpuSnapshot refresh(Duration maxWait) {
    return only(inventory.refresh(maxWait));
  }

  private GpuSnapshot only(GpuSnapshot all) {
    for (GpuDevice candidate : all.devices()) {
      if (isPinned(candidate)) {
        return new GpuSnapshot(
            all.source(), List.of(candidate), all.driverVersion(), all.note(), all.readAt());
      }
    }
    String missing = "GPU " + device.index() + " is not in this reading";
    return new GpuSnapshot(
        all.source(),
        List.of(),
        all.driverVersion(),
        all.note() == null ? missing : missing + "; " + all.note(),
        all.readAt());
  }

  private boolean isPinned(GpuDevice candidate) {
    String uuid = device.uuid();
    return uuid != null
        ? uuid.equalsIgnoreCase(candidate.uuid())
        : candidate.index() == device.index();
  }

  @Override
  public void close() {
    inventory.close();
  }
}
