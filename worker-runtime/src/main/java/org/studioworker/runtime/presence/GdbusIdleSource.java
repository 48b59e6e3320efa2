package org.studioworker.runtime.presence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The idle time from the desktop's idle monitor on the session bus, by running {@code gdbus call}.
 *
 * <p>Each sample runs one {@code gdbus} process and waits for it at most {@link #CALL_WAIT}; its
 * output is parsed strictly ({@code (uint64 12345,)}, milliseconds). Thread-safe: it keeps no
 * state.
 */
public final class GdbusIdleSource implements IdleSource {
  /** The longest one call may take. */
  static final Duration CALL_WAIT = Duration.ofSeconds(2);

  /** Why 4 KiB? The answer is one short line; anything longer is not it. */
  private static final int MAX_OUTPUT = 4096;

  private static final Pattern ANSWER = Pattern.compile("\\((?:uint64|uint32) (\\d{1,19}),\\)");

  /** A method of the session bus that answers an idle time in milliseconds. */
  public record Method(String destination, String objectPath, String method) {
    /** GNOME's idle monitor (Mutter). */
    public static final Method MUTTER =
        new Method(
            "org.gnome.Mutter.IdleMonitor",
            "/org/gnome/Mutter/IdleMonitor/Core",
            "org.gnome.Mutter.IdleMonitor.GetIdletime");

    /** The freedesktop screensaver interface (KDE and others), which answers milliseconds too. */
    public static final Method SCREEN_SAVER =
        new Method(
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.GetSessionIdleTime");
  }

  private final String gdbus;
  private final Method method;

  /**
   * A source.
   *
   * @param gdbus the program to run: {@code gdbus} (found on PATH) or a path
   */
  public GdbusIdleSource(String gdbus, Method method) {
    this.gdbus = gdbus;
    this.method = method;
  }

  @Override
  public Optional<Duration> idleTime() {
    try {
      OptionalLong millis = parse(run());
      return millis.isPresent()
          ? Optional.of(Duration.ofMillis(millis.getAsLong()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public String describe() {
    return method.destination() + " on the session bus";
  }

  /**
   * Parses what {@code gdbus call} prints for a method that returns one unsigned integer: {@code
   * (uint64 12345,)} with an optional trailing newline. Anything else is empty.
   */
  static OptionalLong parse(String output) {
    String line = output.endsWith("\n") ? output.substring(0, output.length() - 1) : output;
    Matcher matcher = ANSWER.matcher(line);
    if (!matcher.matches()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(matcher.group(1)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Runs the call; the output, or "" when it failed or took too long. */
  private String run() throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                List.of(
                    gdbus,
                    "call",
                    "--session",
                    "--timeout",
                    Long.toString(CALL_WAIT.toSeconds()),
                    "--dest",
                    method.destination(),
                    "--object-path",
                    method.objectPath(),
                    "--method",
                    method.method()))
            .redirectErrorStream(false)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    try {
      if (!process.waitFor(CALL_WAIT.toMillis(), TimeUnit.MILLISECONDS)
          || process.exitValue() != 0) {
        return "";
      }
      // The process has exited: its answer (far below a pipe's 64 KiB) waits in the pipe.
      try (InputStream out = process.getInputStream()) {
        byte[] bytes = out.readNBytes(MAX_OUTPUT + 1);
        return bytes.length > MAX_OUTPUT ? "" : new String(bytes, StandardCharsets.UTF_8);
      }
    } finally {
      process.destroyForcibly();
    }
  }
}
