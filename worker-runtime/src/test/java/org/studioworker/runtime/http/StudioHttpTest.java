package org.studioworker.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Every exchange of the worker is bounded, body included, and gives way to a stop. */
final class StudioHttpTest {
  private static final byte[] FEW = "{\"requ".getBytes(StandardCharsets.UTF_8);

  @Test
  void replyThatStallsMidBodyEndsAtTheDeadline() throws Exception {
    try (StandInServer server =
        StandInServer.start((exchange, self) -> self.stall(exchange, 200, 100, FEW))) {
      HttpRequest request = HttpRequest.newBuilder(server.url().resolve("/x")).GET().build();

      assertThatThrownBy(
              () ->
                  StudioHttp.exchange(
                      StudioHttp.client(Duration.ofSeconds(5)),
                      request,
                      BodyLimit.ofString(1024),
                      Duration.ofMillis(600),
                      () -> false))
          .isInstanceOf(HttpTimeoutException.class)
          .hasMessageContaining("no complete reply within");
    }
  }

  @Test
  void stopRequestAbandonsAStalledExchange() throws Exception {
    AtomicBoolean stopping = new AtomicBoolean();
    try (StandInServer server =
        StandInServer.start(
            (exchange, self) -> {
              stopping.set(true); // the stop arrives while the reply stalls
              self.stall(exchange, 200, 100, FEW);
            })) {
      HttpRequest request = HttpRequest.newBuilder(server.url().resolve("/x")).GET().build();

      assertThatThrownBy(
              () ->
                  StudioHttp.exchange(
                      StudioHttp.client(Duration.ofSeconds(5)),
                      request,
                      BodyLimit.ofString(1024),
                      Duration.ofMinutes(5),
                      stopping::get))
          .isInstanceOf(StudioHttp.AbandonedException.class);
    }
  }

  @Test
  void cleartextRequestsNeverAskForAnUpgrade() throws Exception {
    try (StandInServer server =
        StandInServer.start(
            (exchange, self) -> StandInServer.reply(exchange, 200, "{\"ok\":true}"))) {
      HttpRequest request =
          HttpRequest.newBuilder(server.url().resolve("/x"))
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();

      var response =
          StudioHttp.exchange(
              StudioHttp.client(Duration.ofSeconds(5)),
              request,
              BodyLimit.ofString(1024),
              Duration.ofSeconds(10),
              () -> false);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(server.upgradesRefused()).isEmpty();
    }
  }
}
