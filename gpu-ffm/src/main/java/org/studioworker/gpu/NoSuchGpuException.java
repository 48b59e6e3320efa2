package org.studioworker.gpu;

/**
 * A pin names a GPU the machine does not have. The message names the GPUs it has, e.g. {@code no
 * such GPU; this machine has GPU 0 (NVIDIA A, GPU-aaa…), GPU 1 (…)}.
 */
public final class NoSuchGpuException extends Exception {
  private static final long serialVersionUID = 1L;

  NoSuchGpuException(String message) {
    super(message);
  }
}
