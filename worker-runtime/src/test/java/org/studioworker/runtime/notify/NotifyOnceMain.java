package org.studioworker.runtime.notify;

/**
 * Sends {@code READY=1} to {@code $NOTIFY_SOCKET} and exits 0 when it went out, 1 otherwise: the
 * runtime module's notifier, run on the module path as the packaged product runs.
 */
public final class NotifyOnceMain {
  private NotifyOnceMain() {}

  public static void main(String[] args) {
    System.exit(SdNotify.fromEnvironment(System.getenv()).ready() ? 0 : 1);
  }
}
