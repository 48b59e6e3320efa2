package org.studioworker.protocol;

/** WebSocket close codes of the contract. The worker itself always closes with {@link #NORMAL}. */
public final class CloseCodes {
  /** Normal closure; also used for {@code internal_error}. */
  public static final int NORMAL = 1000;

  /** Authentication failed: the worker must not reconnect. */
  public static final int AUTH_FAILED = 4001;

  /** The worker broke the protocol. */
  public static final int PROTOCOL_VIOLATION = 4002;

  /** A newer socket for the same worker replaced this one. */
  public static final int DUPLICATE_WORKER = 4003;

  /** The operator deleted the worker. */
  public static final int WORKER_DELETED = 4004;

  private CloseCodes() {}
}
