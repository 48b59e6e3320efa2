package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.protocol.Registration;

/** {@code --state FILE}: a studio started again on the same file still knows approved workers. */
final class StateFileTest {
  private static final String SECRET = "b".repeat(64);

  @TempDir Path dir;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() {
    client.shutdownNow();
  }

  @Test
  void aWorkerApprovedBeforeARestartOnTheSameFileStillConnectsAfterIt() throws Exception {
    Path state = dir.resolve("state/dev-studio.state");
    WorkerCredentials approved;
    WorkerCredentials minted;
    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults().withStateFile(state))) {
      Http http = new Http(client, studio);
      String requestId =
          Fixtures.CODEC
              .decodeRegistrationAccepted(
                  http.post(
                          "graphics/api/workers/register-request",
                          Fixtures.CODEC.encode(Fixtures.registration("install-1", SECRET)))
                      .body())
              .requestId();
      http.post("graphics/api/workers/pending/" + requestId + "/approve", "");
      Registration.Approved credentials =
          (Registration.Approved)
              Fixtures.CODEC.decodeRegistrationStatus(
                  http.get("graphics/api/workers/register-requests/" + requestId, SECRET).body());
      approved = new WorkerCredentials(credentials.workerId(), credentials.authToken());
      minted = studio.createWorker();
    }

    assertThat(Files.getPosixFilePermissions(state))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(state))
        .as("ids and token hashes, never a token")
        .contains(approved.workerId(), minted.workerId())
        .contains(Secrets.sha256Hex(approved.authToken()))
        .doesNotContain(approved.authToken(), minted.authToken());
    try (var left = Files.list(state.getParent())) {
      assertThat(left).as("no temporary file left").containsExactly(state);
    }

    try (DevStudio again = DevStudio.start(DevStudio.Options.defaults().withStateFile(state))) {
      try (TestWorker session = TestWorker.welcomed(client, again, approved)) {
        assertThat(again.connectedWorkers()).hasSize(1);
      }
      try (TestWorker session = TestWorker.welcomed(client, again, minted)) {
        assertThat(session.isClosed()).isFalse();
      }
      assertThat(again.deleteWorker(minted.workerId())).isTrue();
    }

    try (DevStudio third = DevStudio.start(DevStudio.Options.defaults().withStateFile(state))) {
      assertThatThrownBy(() -> TestWorker.connect(client, third, minted))
          .as("a deleted worker stays deleted")
          .isInstanceOfAny(ExecutionException.class, CompletionException.class);
      try (TestWorker session = TestWorker.welcomed(client, third, approved)) {
        assertThat(third.connectedWorkers()).hasSize(1);
      }
    }
  }

  @Test
  void withoutAStateFileARestartForgetsTheWorkers() throws Exception {
    WorkerCredentials worker;
    int port;
    try (DevStudio studio = DevStudio.start()) {
      worker = studio.createWorker();
      port = studio.baseUrl().getPort();
    }
    try (DevStudio again = DevStudio.start(DevStudio.Options.defaults().withPort(port))) {
      assertThatThrownBy(() -> TestWorker.connect(client, again, worker))
          .isInstanceOfAny(ExecutionException.class, CompletionException.class);
    }
  }

  @Test
  void aStateFileThatIsNotOneStopsTheStartNamingTheLineNotItsText() throws Exception {
    Path state = dir.resolve("broken.state");
    Files.writeString(state, "# header\nw-1 not-a-hash-of-a-secret-token\n");
    assertThatThrownBy(
            () -> DevStudio.start(DevStudio.Options.defaults().withStateFile(state)).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("line 2")
        .hasMessageNotContaining("not-a-hash");
  }

  @Test
  void mainReadsTheStateOption() {
    DevStudio.Options options = DevStudioMain.parse(new String[] {"--state", "/tmp/s.state"});
    assertThat(options).isNotNull();
    assertThat(options.stateFile()).isEqualTo(Path.of("/tmp/s.state"));
  }
}
