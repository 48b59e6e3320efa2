package org.studioworker.runtime.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.LiveConfig;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.lifecycle.StopSignal;

/**
 * Registration against studios that are not our own: one that refuses {@code Upgrade: h2c} (as a
 * Node studio does), and one whose reply stalls after a few bytes.
 */
final class RegistrationOverOtherServersTest {
  private static final String TOKEN = "ab".repeat(32);

  @TempDir Path dir;

  private RegistrationGate gate(StandInServer server, Duration timeout) throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("config.toml"));
    WorkerConfig config = WorkerConfig.defaults().withApiBaseUrl(server.url() + "/");
    store.save(config);
    return new RegistrationGate(
        new LiveConfig(store, config),
        config.studioBase(),
        StudioHttp.client(Duration.ofSeconds(5)),
        new FrameCodec(),
        timeout,
        RegistrationTest::capabilities,
        "studio-worker/test",
        InstantSource.system(),
        new SecureRandom(),
        state -> {},
        "studio-worker register --reset");
  }

  @Test
  void registersThroughAServerThatRefusesUpgradeRequests() throws Exception {
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              String path = exchange.getRequestURI().getPath();
              exchange.getRequestBody().readAllBytes();
              if (path.equals("/graphics/api/workers/register-request")) {
                StandInServer.reply(
                    exchange, 200, "{\"requestId\":\"rr-1\",\"status\":\"pending\"}");
              } else if (path.equals("/graphics/api/workers/register-requests/rr-1")) {
                StandInServer.reply(
                    exchange,
                    200,
                    "{\"status\":\"approved\",\"workerId\":\"w-1\",\"authToken\":\""
                        + TOKEN
                        + "\"}");
              } else {
                StandInServer.reply(exchange, 404, "{}");
              }
            })) {
      RegistrationGate gate = gate(studio, Duration.ofSeconds(5));

      assertThat(gate.tick()).isInstanceOf(RegistrationState.Pending.class);
      assertThat(gate.tick()).isEqualTo(new RegistrationState.Approved("w-1"));
      assertThat(studio.upgradesRefused()).isEmpty();
    }
  }

  @Test
  void replyThatStallsMidBodyCountsAsUnreachableAndTheGateTicksOn() throws Exception {
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) ->
                self.stall(
                    exchange, 200, 64, "{\"requestId\":".getBytes(StandardCharsets.UTF_8)))) {
      RegistrationGate gate = gate(studio, Duration.ofMillis(500));

      assertThat(gate.tick()).isInstanceOf(RegistrationState.Pristine.class);
      assertThat(gate.config().registrationRequestId()).isNull();
    }
  }

  @Test
  void stopWhileARegistrationCallStallsEndsTheWaitCleanly() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              stalled.countDown();
              self.stall(exchange, 200, 64, "{".getBytes(StandardCharsets.UTF_8));
            })) {
      // The call's own deadline is far away: only the stop can end it.
      RegistrationGate gate = gate(studio, Duration.ofMinutes(5));
      StopSignal stop = new StopSignal();
      CompletableFuture<RegistrationGate.Result> result = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  result.complete(gate.await(stop, Duration.ofMinutes(5)));
                } catch (Exception e) {
                  result.completeExceptionally(e);
                }
              });
      assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();

      stop.escalate("SIGTERM");

      assertThat(result.get(10, TimeUnit.SECONDS)).isInstanceOf(RegistrationGate.Stopped.class);
    }
  }
}
