package org.studioworker.runtime.daemon;

/** The worker's exit codes, as documented in the README. */
public final class ExitCodes {
  /** Success, or a clean stop (including a stop while waiting for approval). */
  public static final int OK = 0;

  /** An unexpected error, or a fatal error reported by the studio. */
  public static final int FAILURE = 1;

  /** Wrong command-line usage. */
  public static final int USAGE = 2;

  /** The config file cannot be read, parsed or written. */
  public static final int CONFIG = 3;

  /** The studio refused the token: run {@code studio-worker register --reset}. */
  public static final int AUTH_FAILED = 4;

  /** The operator rejected the registration request. */
  public static final int REJECTED = 5;

  /** The reconnect attempts set by {@code ws_reconnect_attempts} ran out. */
  public static final int GAVE_UP = 6;

  /**
   * A new version was installed: the launcher starts it (75 is {@code EX_TEMPFAIL} in sysexits.h,
   * "try again").
   */
  public static final int RESTART_FOR_UPDATE = 75;

  private ExitCodes() {}
}
