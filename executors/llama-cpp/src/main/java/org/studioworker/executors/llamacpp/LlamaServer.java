package org.studioworker.executors.llamacpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.process.EngineProcesses;
import org.studioworker.spi.process.LineDrain;
import org.studioworker.spi.process.LineTail;
import org.studioworker.spi.process.ProcessTree;

/**
 * One running llama-server process on a loopback port, with the last lines it wrote.
 *
 * <p>Started and waited for by the job thread; {@link #stop} may be called from any thread and
 * never throws.
 */
final class LlamaServer {
  /** Why 100 lines? llama-server prints its load progress there; the error is near the end. */
  private static final int TAIL_LINES = 100;

  /** Why 200 ms? Loading takes seconds; polling faster only costs the server requests. */
  private static final long POLL_MILLIS = 200;

  /** The longest one {@code /health} exchange may take. */
  private static final Duration HEALTH_LIMIT = Duration.ofSeconds(5);

  private final ServerKey key;
  private final Process process;
  private final int port;
  private final Duration killGrace;

  /** The {@code vramGbEstimate} of the claim this server was started for. */
  private final double vramGb;

  private final LineTail output = new LineTail(TAIL_LINES);

  private LlamaServer(ServerKey key, Process process, int port, Duration killGrace, double vramGb) {
    this.key = key;
    this.process = process;
    this.port = port;
    this.killGrace = killGrace;
    this.vramGb = vramGb;
    long pid = process.pid();
    // llama-server logs to stderr; stdout is drained too so that it can never block on a pipe.
    LineDrain.start(process.getInputStream(), "llama-server-" + pid + "-stdout", output::add);
    LineDrain.start(process.getErrorStream(), "llama-server-" + pid + "-stderr", output::add);
  }

  /**
   * Starts {@code program} for {@code key} on a free loopback port.
   *
   * @param processEnv set over the worker's environment, as {@link EngineProcesses#environment}
   *     does
   * @param vramGb the {@code vramGbEstimate} of the claim it is started for
   * @throws ExecutorException when the program cannot be started
   */
  static LlamaServer start(
      Path program,
      ServerKey key,
      Path workDir,
      Map<String, String> processEnv,
      Duration killGrace,
      double vramGb)
      throws ExecutorException {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(program.toString());
    command.addAll(key.arguments(port));
    try {
      Process process =
          EngineProcesses.environment(
                  new ProcessBuilder(command).directory(workDir.toFile()), processEnv)
              .start();
      process.getOutputStream().close();
      return new LlamaServer(key, process, port, killGrace, vramGb);
    } catch (IOException e) {
      throw new ExecutorException("could not start " + program + ": " + e.getMessage());
    }
  }

  ServerKey key() {
    return key;
  }

  /** The {@code vramGbEstimate} of the claim this server was started for. */
  double vramGb() {
    return vramGb;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits up to {@code wait} for the process to end; true when it has. */
  boolean awaitExit(Duration wait) throws InterruptedException {
    return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The server's base URI ({@code http://127.0.0.1:<port>}). */
  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The server's last output line, or a note that it printed nothing. */
  String lastLine() {
    return output.last().orElse("it printed nothing");
  }

  /**
   * Waits until {@code GET /health} answers 200.
   *
   * @throws ExecutorException when the server exits first or is not healthy within {@code limit}
   * @throws InterruptedException when the job is cancelled or the thread interrupted
   */
  void awaitHealthy(HttpClient http, Duration limit, BooleanSupplier cancelled)
      throws ExecutorException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    HttpRequest health = HttpRequest.newBuilder(uri("/health")).timeout(HEALTH_LIMIT).GET().build();
    while (true) {
      if (!process.isAlive()) {
        throw new ExecutorException(
            "llama-server exited with status "
                + process.exitValue()
                + " while loading the model: "
                + lastLine());
      }
      // Each poll, body included, within 5 s and within what is left of the limit.
      Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
      Duration pollLimit = left.compareTo(HEALTH_LIMIT) < 0 ? left : HEALTH_LIMIT;
      try {
        HttpResponse<Void> response =
            Exchanges.await(
                http.sendAsync(health, HttpResponse.BodyHandlers.discarding()),
                pollLimit,
                cancelled);
        if (response.statusCode() == 200) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // Not listening yet, busy loading, or stalled: ask again.
      }
      if (cancelled.getAsBoolean()) {
        throw new InterruptedException("the job was cancelled while llama-server was loading");
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new ExecutorException(
            "llama-server did not become healthy within "
                + limit.toSeconds()
                + " s: "
                + lastLine());
      }
      // The pause doubles as the exit check: it returns at once when the server exits.
      process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Stops the server and everything it started; never throws. */
  void stop() {
    ProcessTree.stop(process.toHandle(), killGrace);
  }

  /**
   * A port that was free a moment ago. Another program may take it before llama-server binds it;
   * the server then exits and the job fails with its bind error, retryable.
   */
  private static int freePort() throws ExecutorException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new ExecutorException("no free loopback port for llama-server: " + e.getMessage());
    }
  }
}
