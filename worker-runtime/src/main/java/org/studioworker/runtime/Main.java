package org.studioworker.runtime;

import java.util.Map;
import org.studioworker.runtime.cli.Cli;

/** The entry point of the {@code studio-worker} command. */
public final class Main {
  private Main() {}

  /**
   * The JDK HTTP client's read buffer, for every client of the process (studio session, uploads,
   * model downloads). Why 256 KiB? With the default 16 KiB the client itself limits a verified
   * model download to about 0.6 of curl + openssl on loopback; with 256 KiB it reaches about 0.9
   * (docs/performance.md, "Verified download"). The cost is 240 KiB more per open connection, of
   * which a worker holds two or three. The property is read once, when the client's classes first
   * load, so it is set before any command runs; a value given on the command line wins.
   */
  static final String HTTP_BUFFER_BYTES = String.valueOf(256 * 1024);

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    if (System.getProperty("jdk.httpclient.bufsize") == null) {
      System.setProperty("jdk.httpclient.bufsize", HTTP_BUFFER_BYTES);
    }
    System.exit(execute(System.getenv(), args));
  }

  /** Runs the command line and returns its exit code, without exiting. */
  public static int execute(Map<String, String> env, String... args) {
    return Cli.execute(env, args);
  }
}
