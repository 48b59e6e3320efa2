package org.studioworker.gpu;

/**
 * The return codes of NVML ({@code nvmlReturn_t}), by name, so a failure reads as what it is.
 *
 * <p>Codes this build does not know map to {@link #UNRECOGNISED}; the raw number travels with the
 * {@link NvmlException} either way.
 */
enum NvmlStatus {
  SUCCESS(0),
  UNINITIALIZED(1),
  INVALID_ARGUMENT(2),
  NOT_SUPPORTED(3),
  NO_PERMISSION(4),
  ALREADY_INITIALIZED(5),
  NOT_FOUND(6),
  INSUFFICIENT_SIZE(7),
  INSUFFICIENT_POWER(8),
  DRIVER_NOT_LOADED(9),
  TIMEOUT(10),
  IRQ_ISSUE(11),
  LIBRARY_NOT_FOUND(12),
  FUNCTION_NOT_FOUND(13),
  CORRUPTED_INFOROM(14),
  GPU_IS_LOST(15),
  RESET_REQUIRED(16),
  OPERATING_SYSTEM(17),
  LIB_RM_VERSION_MISMATCH(18),
  IN_USE(19),
  MEMORY(20),
  NO_DATA(21),
  VGPU_ECC_NOT_SUPPORTED(22),
  INSUFFICIENT_RESOURCES(23),
  FREQ_NOT_SUPPORTED(24),
  ARGUMENT_VERSION_MISMATCH(25),
  DEPRECATED(26),
  NOT_READY(27),
  GPU_NOT_FOUND(28),
  INVALID_STATE(29),
  UNKNOWN(999),
  UNRECOGNISED(-1);

  private static final NvmlStatus[] BY_CODE = new NvmlStatus[30];

  static {
    for (NvmlStatus status : values()) {
      if (status.code >= 0 && status.code < BY_CODE.length) {
        BY_CODE[status.code] = status;
      }
    }
  }

  /** The number NVML returns. */
  final int code;

  NvmlStatus(int code) {
    this.code = code;
  }

  /** The status for a raw return code; never null. */
  static NvmlStatus of(int code) {
    if (code >= 0 && code < BY_CODE.length) {
      NvmlStatus status = BY_CODE[code];
      if (status != null) {
        return status;
      }
    }
    return code == UNKNOWN.code ? UNKNOWN : UNRECOGNISED;
  }

  /**
   * Whether the library has lost its initialisation, so that {@code nvmlInit} must run again before
   * any device can be read.
   */
  boolean meansNotInitialised() {
    return this == UNINITIALIZED || this == DRIVER_NOT_LOADED || this == LIB_RM_VERSION_MISMATCH;
  }
}
