package org.studioworker.runtime;

/** The worker's version. */
public final class Version {
  private Version() {}
}
