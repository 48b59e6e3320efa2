package org.studioworker.runtime.notify;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.logs.Redactor;

/**
 * Tells systemd about this process, as {@code sd_notify(3)} does: one datagram per call to the Unix
 * socket that {@code $NOTIFY_SOCKET} names (a path, or {@code @name} for an abstract socket).
 *
 * <p>{@code java.net} cannot send to a Unix datagram socket, so the C library's {@code socket},
 * {@code sendto} and {@code close} are called through FFM: Linux on x86-64 and aarch64 only, and
 * the JVM must grant this module native access ({@code
 * --enable-native-access=org.studioworker.runtime}, which the launchers pass). Anywhere else, or
 * without {@code $NOTIFY_SOCKET}, an instance does nothing.
 *
 * <p><b>The watchdog and the launcher.</b> systemd names the process it watches in {@code
 * $WATCHDOG_PID}: the unit's main process. Installed, that is the launcher ({@code
 * bin/studio-worker}, a bash script that stays in the foreground to restart the worker after a
 * self-update), and this JVM is its child, so {@code sd_watchdog_enabled(3)}'s rule (the pid must
 * be ours) would turn the watchdog off. {@link #watchdogInterval} accepts a {@code $WATCHDOG_PID}
 * that names this process or its parent, the launcher having handed its environment down; any other
 * pid means the variables were inherited from further up, and the watchdog is not ours. The
 * processes the worker starts (engines) see their grandparent there and are left out by the same
 * rule. Since the sender is not the main process, the unit needs {@code NotifyAccess=all}: systemd
 * drops datagrams from any other process under {@code NotifyAccess=main}.
 *
 * <p>Thread-safe. No call blocks (a datagram that does not fit into the socket's buffer is dropped,
 * not waited for) and none throws: the first failure is logged as a warning (logger {@code
 * systemd}), later ones at debug level, and the call returns false.
 */
public final class SdNotify {
  private static final Logger log = LoggerFactory.getLogger("systemd");

  /**
   * Why 512? systemd reads a notification into a buffer of 4096 bytes and drops a longer one whole;
   * 512 characters are at most 2048 bytes of UTF-8, room to spare for the other lines of a
   * datagram.
   */
  static final int MAX_STATUS_CHARS = 512;

  private static final SdNotify DISABLED = new SdNotify(null, null);

  /** Null when this instance does nothing; then {@link #sockets} is null too. */
  private final @Nullable UnixAddress address;

  private final @Nullable UnixDatagrams sockets;

  /** Set by the first failed send: later failures are logged at debug level. */
  private final AtomicBoolean warned = new AtomicBoolean();

  private SdNotify(@Nullable UnixAddress address, @Nullable UnixDatagrams sockets) {
    this.address = address;
    this.sockets = sockets;
  }

  /**
   * The notifier {@code env} asks for: to {@code $NOTIFY_SOCKET} when it is set, or one that does
   * nothing. A value that cannot be used (a relative path, one too long for {@code sun_path}, or
   * FFM unavailable here) is logged once as a warning, and the instance does nothing.
   *
   * @param env the process environment ({@code System.getenv()})
   */
  public static SdNotify fromEnvironment(Map<String, String> env) {
    String value = env.get("NOTIFY_SOCKET");
    if (value == null || value.isEmpty()) {
      return DISABLED;
    }
    UnixAddress address;
    try {
      address = UnixAddress.parse(value);
    } catch (IllegalArgumentException e) {
      log.warn(
          "NOTIFY_SOCKET={} cannot be used: {}; systemd will not hear from this worker",
          value,
          e.getMessage());
      return DISABLED;
    }
    try {
      return new SdNotify(address, UnixDatagrams.bind());
    } catch (UnsupportedOperationException | IllegalCallerException e) {
      log.warn(
          "NOTIFY_SOCKET is set, but systemd will not hear from this worker: {}", e.getMessage());
      return DISABLED;
    }
  }

  /** A notifier that does nothing: no systemd is listening. */
  public static SdNotify disabled() {
    return DISABLED;
  }

  /** Whether datagrams go anywhere. */
  public boolean isEnabled() {
    return address != null;
  }

  /** {@code READY=1}: start-up is finished. */
  public boolean ready() {
    return send("READY=1");
  }

  /**
   * {@code STATUS=<text>}, shown by {@code systemctl status}. The text is made one line (a line
   * break would start another assignment), known secrets are masked (anyone on the machine may read
   * it), and it is cut at {@value #MAX_STATUS_CHARS} characters.
   */
  public boolean status(String text) {
    return send(statusLine(text));
  }

  /** {@code WATCHDOG=1}: this service is alive. */
  public boolean watchdog() {
    return send("WATCHDOG=1");
  }

  /** {@code STOPPING=1}: the service has begun to stop. */
  public boolean stopping() {
    return send("STOPPING=1");
  }

  /**
   * Sends {@code state} as it is: one or more {@code NAME=value} lines.
   *
   * @return whether the datagram went out; false as well when this instance does nothing
   */
  public boolean send(String state) {
    UnixAddress to = address;
    UnixDatagrams via = sockets;
    if (to == null || via == null) {
      return false;
    }
    String failure;
    try {
      failure = via.send(to, state.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      failure = e.toString();
    }
    if (failure == null) {
      return true;
    }
    String what = state.lines().findFirst().orElse("");
    if (warned.compareAndSet(false, true)) {
      log.warn(
          "could not tell systemd {} through NOTIFY_SOCKET={}: {} (further failures are logged"
              + " at debug level)",
          what,
          to,
          failure);
    } else {
      log.debug("could not tell systemd {}: {}", what, failure);
    }
    return false;
  }

  /**
   * How often systemd expects {@code WATCHDOG=1}: {@code $WATCHDOG_USEC}, when the watchdog is this
   * process's (see the class comment for {@code $WATCHDOG_PID}). Empty when no watchdog is set, or
   * it watches another process. Pings are due at half this interval, as {@code
   * sd_watchdog_enabled(3)} advises.
   *
   * @param env the process environment ({@code System.getenv()})
   */
  public static Optional<Duration> watchdogInterval(Map<String, String> env) {
    ProcessHandle self = ProcessHandle.current();
    return watchdogInterval(env, self.pid(), self.parent().map(ProcessHandle::pid).orElse(-1L));
  }

  /** {@link #watchdogInterval(Map)} for the process {@code self} whose parent is {@code parent}. */
  static Optional<Duration> watchdogInterval(Map<String, String> env, long self, long parent) {
    String usec = env.get("WATCHDOG_USEC");
    if (usec == null || usec.isBlank()) {
      return Optional.empty();
    }
    long micros;
    try {
      micros = Long.parseLong(usec.strip());
    } catch (NumberFormatException e) {
      micros = 0;
    }
    if (micros <= 0) {
      log.warn("WATCHDOG_USEC={} is not a positive number: no watchdog pings", usec);
      return Optional.empty();
    }
    String pid = env.get("WATCHDOG_PID");
    if (pid != null && !pid.isBlank()) {
      long watched;
      try {
        watched = Long.parseLong(pid.strip());
      } catch (NumberFormatException e) {
        log.warn("WATCHDOG_PID={} is not a process id: no watchdog pings", pid);
        return Optional.empty();
      }
      if (watched != self && watched != parent) {
        log.debug(
            "WATCHDOG_PID={} is neither this process ({}) nor its launcher ({}): no watchdog pings",
            watched,
            self,
            parent);
        return Optional.empty();
      }
    }
    return Optional.of(Duration.of(micros, ChronoUnit.MICROS));
  }

  /** The {@code STATUS=} line for {@code text}: one line, secrets masked, bounded. */
  static String statusLine(String text) {
    String line = Redactor.redact(text).replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    if (line.length() > MAX_STATUS_CHARS) {
      int end = MAX_STATUS_CHARS - 1;
      if (Character.isHighSurrogate(line.charAt(end - 1))) {
        end--;
      }
      line = line.substring(0, end) + "…";
    }
    return "STATUS=" + line;
  }

  /** Where datagrams go, for a log line: the socket, or that there is none. */
  @Override
  public String toString() {
    return address == null ? "no systemd notifications" : "systemd notifications to " + address;
  }
}
