package org.studioworker.devstudio;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Runs the reference studio standalone until SIGTERM or SIGINT.
 *
 * <pre>
 * java -m org.studioworker.devstudio/org.studioworker.devstudio.DevStudioMain \
 *     [--host 127.0.0.1] [--port 8787] [--auto-approve] [--state FILE]
 * </pre>
 *
 * <p>Prints {@code dev-studio listening on http://HOST:PORT/} on stdout once it accepts
 * connections. Port 0 picks a free port. Exit status: 0 after a signal, 2 for bad arguments, 1 when
 * the port cannot be bound.
 */
public final class DevStudioMain {
  /** The port when none is given. */
  public static final int DEFAULT_PORT = 8787;

  private DevStudioMain() {}

  /** Parses the arguments, starts the studio and waits for a signal. */
  public static void main(String[] args) throws InterruptedException {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "dev-studio-logback.xml");
    }
    DevStudio.Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("dev-studio: " + e.getMessage());
      usage(System.err);
      System.exit(2);
      return;
    }
    if (options == null) {
      usage(System.out);
      return;
    }
    DevStudio studio;
    try {
      studio = DevStudio.start(options);
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(DevStudioMain.class).error("dev-studio did not start", e);
      System.err.println("dev-studio: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  studio.close();
                  stopped.countDown();
                },
                "dev-studio-shutdown"));
    System.out.println("dev-studio listening on " + studio.baseUrl());
    System.out.flush();
    stopped.await();
  }

  /** The options of the arguments, or null when help was asked for. */
  static DevStudio.@Nullable Options parse(String[] args) {
    DevStudio.Options options = DevStudio.Options.defaults().withPort(DEFAULT_PORT);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          return null;
        }
        case "--auto-approve" -> options = options.withAutoApprove(true);
        case "--host" -> options = options.withHost(value(args, ++i, "--host"));
        case "--state" -> options = options.withStateFile(Path.of(value(args, ++i, "--state")));
        case "--port" -> {
          String value = value(args, ++i, "--port");
          try {
            options = options.withPort(Integer.parseInt(value));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number, not " + value);
          }
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    return options;
  }

  private static String value(String[] args, int index, String name) {
    if (index >= args.length || args[index].startsWith("--")) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[index];
  }

  private static void usage(PrintStream out) {
    out.println(
        """
        usage: dev-studio [--host ADDRESS] [--port N] [--auto-approve] [--state FILE]
          --host ADDRESS   address to bind (default 127.0.0.1: loopback only)
          --port N         port to listen on (default 8787; 0 picks a free one)
          --auto-approve   approve every registration request at once
          --state FILE     keep the approved workers (ids and token hashes) in FILE, so that a
                           restart on the same FILE still knows them; jobs are never kept""");
  }
}
