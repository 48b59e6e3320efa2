package org.studioworker.dist;

/** The demo. */
public final class Demo {
  private Demo() {}
}
