package org.studioworker.devstudio;

/** The reference studio. */
public final class DevStudio {
  private DevStudio() {}
}
