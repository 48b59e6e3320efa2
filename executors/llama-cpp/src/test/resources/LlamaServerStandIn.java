import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in llama-server for the engine's tests, run as a single-file source program.
 *
 * <p>It appends its PID and arguments to {@code $STANDIN_DIR/starts}, answers {@code /health} with
 * 503 ("loading") twice and then 200, records each chat completion request as {@code
 * request-<pid>-<n>.json} and answers it with {@code reply.json}. The file {@code mode} changes
 * that: {@code fail-start} exits at once with an error line, {@code http-500} answers an error,
 * {@code hang} never answers a completion, {@code stall} sends a completion's headers and first
 * bytes and then nothing, {@code health-stall} does the same for {@code /health}.
 *
 * <p>A request with {@code "stream":true} is answered as server-sent events: each line of {@code
 * stream.sse} is sent as one event ({@code <line>\n\n}) and flushed. In mode {@code stream-forever}
 * the events but {@code [DONE]} are followed by filler chunks for ever, like a generation that never ends. Whenever
 * writing the stream fails because the client closed the connection, the stand-in writes {@code
 * disconnected-<pid>-<n>} with the number of events it had sent and stops generating.
 */
public class LlamaServerStandIn {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(System.getenv("STANDIN_DIR"));
    long pid = ProcessHandle.current().pid();
    Files.writeString(
        dir.resolve("starts"),
        pid + "\0" + String.join("\0", args) + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    if (mode(dir).equals("fail-start")) {
      System.err.println("llama_model_load: error loading model: tensor data is not within bounds");
      System.exit(1);
    }
    int port = Integer.parseInt(args[Arrays.asList(args).indexOf("--port") + 1]);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    AtomicInteger healthChecks = new AtomicInteger();
    server.createContext(
        "/health",
        exchange -> {
          if (mode(dir).equals("health-stall")) {
            stall(exchange);
            return;
          }
          boolean loading = healthChecks.incrementAndGet() <= 2;
          send(
              exchange,
              loading ? 503 : 200,
              loading
                  ? "{\"error\":{\"code\":503,\"message\":\"Loading model\"}}"
                  : "{\"status\":\"ok\"}");
        });
    AtomicInteger requests = new AtomicInteger();
    server.createContext(
        "/v1/chat/completions",
        exchange -> {
          byte[] request = exchange.getRequestBody().readAllBytes();
          int n = requests.incrementAndGet();
          Path tmp = dir.resolve("request.tmp-" + pid);
          Files.write(tmp, request);
          Files.move(tmp, dir.resolve("request-" + pid + "-" + n + ".json"));
          String mode = mode(dir);
          if (mode.equals("hang")) {
            try {
              Thread.sleep(600_000);
            } catch (InterruptedException e) {
              return;
            }
          }
          if (mode.equals("stall")) {
            stall(exchange);
            return;
          }
          if (mode.equals("http-500")) {
            send(
                exchange,
                500,
                "{\"error\":{\"code\":500,\"message\":\"the request exceeds the available context"
                    + " size\",\"type\":\"exceed_context_size_error\"}}");
            return;
          }
          if (new String(request, StandardCharsets.UTF_8).contains("\"stream\":true")) {
            stream(exchange, dir, pid + "-" + n, mode.equals("stream-forever"));
            return;
          }
          send(exchange, 200, Files.readString(dir.resolve("reply.json")));
        });
    server.start();
    System.err.println("main: server is listening on http://127.0.0.1:" + port);
  }

  private static String mode(Path dir) throws IOException {
    Path file = dir.resolve("mode");
    return Files.exists(file) ? Files.readString(file).strip() : "ok";
  }

  /** Sends 200, chunked, and the start of a JSON object, then nothing until the process ends. */
  private static void stall(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    exchange.getResponseBody().write("{\"id\":".getBytes(StandardCharsets.UTF_8));
    exchange.getResponseBody().flush();
    try {
      Thread.sleep(600_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends {@code stream.sse}, one event a line, and filler chunks after it when {@code forever}. */
  private static void stream(HttpExchange exchange, Path dir, String name, boolean forever)
      throws IOException {
    List<String> events = Files.readAllLines(dir.resolve("stream.sse"), StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    long sent = 0;
    try {
      for (String event : events) {
        if (forever && event.equals("data: [DONE]")) {
          continue;
        }
        out.write((event + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        sent++;
      }
      byte[] filler =
          ("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                  + "\"delta\":{\"content\":\" more\"},\"finish_reason\":null}]}\n\n")
              .getBytes(StandardCharsets.UTF_8);
      while (forever) {
        out.write(filler);
        out.flush();
        sent++;
      }
      exchange.close();
    } catch (IOException e) {
      // The client closed the connection: a real llama-server stops generating here.
      Path tmp = dir.resolve("disconnected.tmp-" + name);
      Files.writeString(tmp, Long.toString(sent));
      Files.move(tmp, dir.resolve("disconnected-" + name));
      exchange.close();
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
