package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.studioworker.protocol.Registration;

final class RegistrationTest {
  private static final String SECRET = "a".repeat(64);

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private DevStudio studio = DevStudio.start();
  private Http http = new Http(client, studio);

  @AfterEach
  void stop() {
    studio.close();
    client.shutdownNow();
  }

  private void restart(DevStudio.Options options) {
    studio.close();
    studio = DevStudio.start(options);
    http = new Http(client, studio);
  }

  private HttpResponse<String> ask(String installId, String secret) throws Exception {
    return http.post(
        "graphics/api/workers/register-request",
        Fixtures.CODEC.encode(Fixtures.registration(installId, secret)));
  }

  private String askForId(String installId, String secret) throws Exception {
    HttpResponse<String> response = ask(installId, secret);
    assertThat(response.statusCode()).isEqualTo(200);
    Registration.Accepted accepted = Fixtures.CODEC.decodeRegistrationAccepted(response.body());
    assertThat(accepted.status()).isEqualTo("pending");
    return accepted.requestId();
  }

  private HttpResponse<String> poll(String requestId, String secret) throws Exception {
    return http.get("graphics/api/workers/register-requests/" + requestId, secret);
  }

  private Registration.Status pollStatus(String requestId, String secret) throws Exception {
    HttpResponse<String> response = poll(requestId, secret);
    assertThat(response.statusCode()).isEqualTo(200);
    return Fixtures.CODEC.decodeRegistrationStatus(response.body());
  }

  @Test
  void aRequestStaysPendingUntilApprovedOverHttpAndPollsThenKeepTheSameCredentials()
      throws Exception {
    String requestId = askForId("install-1", SECRET);
    assertThat(requestId).startsWith("rr-");
    assertThat(pollStatus(requestId, SECRET)).isEqualTo(new Registration.Pending());

    HttpResponse<String> pending = http.get("graphics/api/workers/pending");
    assertThat(pending.body())
        .contains(
            "\"requestId\":\"" + requestId + "\"",
            "\"installId\":\"install-1\"",
            "\"machineName\":\"test-machine\"",
            "\"userAgent\":\"studio-worker/0.5.0-test\"");
    assertThat(pending.body()).doesNotContain(Secrets.sha256Hex(SECRET));

    HttpResponse<String> approved =
        http.post("graphics/api/workers/pending/" + requestId + "/approve", "");
    assertThat(approved.statusCode()).isEqualTo(200);
    assertThat(approved.body()).contains("\"workerId\":\"w-").doesNotContain("authToken");

    Registration.Status first = pollStatus(requestId, SECRET);
    assertThat(first).isInstanceOf(Registration.Approved.class);
    Registration.Approved credentials = (Registration.Approved) first;
    assertThat(credentials.authToken()).matches("[0-9a-f]{64}");
    assertThat(pollStatus(requestId, SECRET)).isEqualTo(first);
    assertThat(studio.pendingRequests()).isEmpty();
    assertThat(http.post("graphics/api/workers/pending/" + requestId + "/approve", "").statusCode())
        .isEqualTo(409);

    // The minted token opens a session.
    try (TestWorker session =
        TestWorker.welcomed(
            client,
            studio,
            new WorkerCredentials(credentials.workerId(), credentials.authToken()))) {
      assertThat(studio.connectedWorkers()).hasSize(1);
    }
  }

  @Test
  void theSameInstallWhilePendingGetsTheSameRequestIdAndSince() throws Exception {
    String first = askForId("install-2", SECRET);
    PendingRequest before = studio.pendingRequests().getFirst();
    String newSecret = "b".repeat(64);
    assertThat(askForId("install-2", newSecret)).isEqualTo(first);
    assertThat(studio.pendingRequests()).singleElement().isEqualTo(before);
    // The latest request's secret is the one that polls.
    assertThat(poll(first, newSecret).statusCode()).isEqualTo(200);
    assertThat(poll(first, SECRET).statusCode()).isEqualTo(401);
    assertThat(askForId("install-3", SECRET)).isNotEqualTo(first);
  }

  @Test
  void aPollWithTheWrongSecretIs401AndAnUnknownRequestIs404() throws Exception {
    String requestId = askForId("install-4", SECRET);
    assertThat(poll(requestId, "c".repeat(64)).statusCode()).isEqualTo(401);
    assertThat(http.get("graphics/api/workers/register-requests/" + requestId).statusCode())
        .isEqualTo(401);
    assertThat(poll("rr-unknown", SECRET).statusCode()).isEqualTo(404);
  }

  @Test
  void aRejectionOverHttpCarriesTheReason() throws Exception {
    String requestId = askForId("install-5", SECRET);
    HttpResponse<String> rejected =
        http.post(
            "graphics/api/workers/pending/" + requestId + "/reject",
            "{\"reason\":\"unknown machine\"}");
    assertThat(rejected.statusCode()).isEqualTo(200);
    assertThat(pollStatus(requestId, SECRET))
        .isEqualTo(new Registration.Rejected("unknown machine"));
    assertThat(http.post("graphics/api/workers/pending/rr-nope/reject", "").statusCode())
        .isEqualTo(404);
  }

  @Test
  void aRejectionWithoutABodyHasAnEmptyReason() throws Exception {
    String requestId = askForId("install-6", SECRET);
    assertThat(http.post("graphics/api/workers/pending/" + requestId + "/reject", "").statusCode())
        .isEqualTo(200);
    assertThat(pollStatus(requestId, SECRET)).isEqualTo(new Registration.Rejected(""));
  }

  @Test
  void registerRequestsAreRateLimitedPerSourceAddress() throws Exception {
    restart(DevStudio.Options.defaults().withRegisterRateLimit(3, Duration.ofMinutes(1)));
    for (int i = 0; i < 3; i++) {
      assertThat(ask("install-rate-" + i, SECRET).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> limited = ask("install-rate-3", SECRET);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.body()).contains("too many");
  }

  @Test
  void aBadRegisterRequestIs400() throws Exception {
    assertThat(http.post("graphics/api/workers/register-request", "{}").statusCode())
        .isEqualTo(400);
    String badHash =
        Fixtures.CODEC
            .encode(
                new Registration.Request(
                    "install-7", "not-a-hash", Fixtures.capabilities(), "studio-worker/test"))
            .toString();
    assertThat(http.post("graphics/api/workers/register-request", badHash).statusCode())
        .isEqualTo(400);
  }

  @Test
  void autoApproveApprovesEveryRequestAtOnce() throws Exception {
    restart(DevStudio.Options.defaults().withAutoApprove(true));
    String requestId = askForId("install-8", SECRET);
    assertThat(pollStatus(requestId, SECRET)).isInstanceOf(Registration.Approved.class);
    assertThat(studio.pendingRequests()).isEmpty();
  }

  @Test
  void injectedFaultsAnswer500Or404AndEveryRequestIsCounted() throws Exception {
    studio.failNextRegisterRequests(1);
    assertThat(ask("install-9", SECRET).statusCode()).isEqualTo(500);
    String requestId = askForId("install-9", SECRET);
    studio.failNextPolls(1);
    studio.notFoundNextPolls(1);
    assertThat(poll(requestId, SECRET).statusCode()).isEqualTo(500);
    assertThat(poll(requestId, SECRET).statusCode()).isEqualTo(404);
    assertThat(poll(requestId, SECRET).statusCode()).isEqualTo(200);
    assertThat(studio.registerRequestsReceived()).isEqualTo(2);
    assertThat(studio.pollsReceived()).isEqualTo(3);
  }

  @Test
  void anOperatorCallApprovesAWaitingRequest() throws Exception {
    String requestId = askForId("install-10", SECRET);
    PendingRequest pending = studio.awaitPendingRequest(Fixtures.WAIT);
    assertThat(pending.requestId()).isEqualTo(requestId);
    WorkerCredentials credentials = studio.approve(pending.requestId());
    assertThat(pollStatus(requestId, SECRET))
        .isEqualTo(new Registration.Approved(credentials.workerId(), credentials.authToken()));
  }
}
