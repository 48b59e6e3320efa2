package org.studioworker.runtime.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.sentry.Sentry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Crash reports go to a real (loopback) Sentry endpoint; no registered secret may reach it. */
final class SentryScrubTest {
  private static final String SECRET = "sentry-scrub-secret-7f3a9c2e4b1d";

  private final List<String> envelopes = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @AfterEach
  void stop() {
    LogSetup.close();
    LogSetup.install(Map.of(), "test");
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void errorEventsReachSentryWithSecretsRedacted() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          envelopes.add(
              read(
                  exchange.getRequestBody(),
                  exchange.getRequestHeaders().getFirst("Content-Encoding")));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    String dsn = "http://publickey@127.0.0.1:" + server.getAddress().getPort() + "/1";
    Redactor.register(SECRET);

    assertThat(LogSetup.install(Map.of("SENTRY_DSN", dsn), "9.9.9")).isNull();
    LoggerFactory.getLogger("jobs").warn("a breadcrumb mentioning {}", SECRET);
    LoggerFactory.getLogger("jobs")
        .error("engine failed with token {}", SECRET, new IllegalStateException("boom " + SECRET));
    Sentry.flush(5000);

    await().atMost(Duration.ofSeconds(10)).until(() -> !envelopes.isEmpty());
    String all = String.join("\n", envelopes);
    assertThat(all)
        .contains("engine failed with token")
        .contains(Redactor.MASK)
        .contains("studio-worker@9.9.9")
        .doesNotContain(SECRET);
  }

  private static String read(InputStream body, String encoding) throws IOException {
    InputStream in = "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(body) : body;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
