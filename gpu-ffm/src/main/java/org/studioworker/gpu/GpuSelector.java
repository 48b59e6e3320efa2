package org.studioworker.gpu;

import java.util.Locale;
import java.util.Objects;

/**
 * Which GPU a worker is pinned to: a device index as the driver numbers it ({@code 0}) or a device
 * UUID ({@code GPU-…}, as NVML and {@code nvidia-smi -L} print it). Immutable.
 */
public sealed interface GpuSelector {
  /** The selector as the operator writes it: {@code 0} or {@code GPU-…}. */
  String text();

  /** Whether {@code device} is the GPU this selector names. */
  boolean matches(GpuDevice device);

  /**
   * Pins by index.
   *
   * @param index the device index; not negative
   */
  record Index(int index) implements GpuSelector {
    /** Rejects a negative index. */
    public Index {
      if (index < 0) {
        throw new IllegalArgumentException("a GPU index must not be negative: " + index);
      }
    }

    @Override
    public String text() {
      return Integer.toString(index);
    }

    @Override
    public boolean matches(GpuDevice device) {
      return device.index() == index;
    }
  }

  /**
   * Pins by UUID; compared without regard to case.
   *
   * @param uuid the device UUID, starting {@code GPU-}
   */
  record Uuid(String uuid) implements GpuSelector {
    /** Rejects a UUID that does not start {@code GPU-} or has nothing after it. */
    public Uuid {
      Objects.requireNonNull(uuid, "uuid");
      if (!uuid.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
          || uuid.length() == PREFIX.length()) {
        throw new IllegalArgumentException("a GPU UUID starts GPU-: " + uuid);
      }
    }

    @Override
    public String text() {
      return uuid;
    }

    @Override
    public boolean matches(GpuDevice device) {
      String other = device.uuid();
      return other != null && other.equalsIgnoreCase(uuid);
    }
  }

  /** How every UUID starts. */
  String PREFIX = "GPU-";

  /**
   * Reads {@code 0}, {@code 3} or {@code GPU-…}; surrounding blanks are ignored.
   *
   * @throws IllegalArgumentException for anything else, with a message that says what is expected
   */
  static GpuSelector parse(String text) {
    Objects.requireNonNull(text, "text");
    String value = text.strip();
    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return new Index(Integer.parseInt(value));
      } catch (NumberFormatException e) {
        // Too many digits: reported below.
      }
    } else if (value.toUpperCase(Locale.ROOT).startsWith(PREFIX) && value.length() > 4) {
      return new Uuid(value);
    }
    throw new IllegalArgumentException(
        "not a GPU: expected an index such as 0 or a UUID such as GPU-1a2b…, got '" + value + "'");
  }
}
