package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

final class ReleaseDownloadTest {
  /** A guard, not a measure: without the deadlines a stalled server would hang the test. */
  private static final long HANG_GUARD_SECS = 60;

  private static final String ASSET = "/v0.6.0/studio-worker-0.6.0-linux-x64.tar.gz";
  private static final byte[] BUILD = Builds.build("0.6.0");

  /** Generous: the tests that use it expect every exchange to succeed. */
  private static final Deadlines PATIENT =
      new Deadlines(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));

  /**
   * The exchange deadline is long enough for the sidecars on a busy machine; the idle one short.
   */
  private static final Deadlines IMPATIENT =
      new Deadlines(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(60));

  /** Far below a flood: the socket buffers between the two ends hold a few MB at most. */
  private static final long READ_AT_MOST = 64L << 20;

  @TempDir Path dir;

  private final KeyPair trusted = Builds.keyPair();
  private ReleaseServer server;
  private ReleaseDownload download;

  @BeforeEach
  void start() throws Exception {
    server = new ReleaseServer();
    server.put(ASSET, BUILD);
    server.put(ASSET + ".sha256", Builds.sha256Line(BUILD, "studio-worker-0.6.0-linux-x64.tar.gz"));
    server.put(ASSET + ".sig", Builds.sign(trusted.getPrivate(), BUILD));
    download = download(PATIENT);
  }

  private ReleaseDownload download(Deadlines deadlines) {
    return new ReleaseDownload(
        new UpdateHttp(AutoUpdate.client(), deadlines),
        new TrustedKeys(List.of(trusted.getPublic())));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void keepsABuildThatMatchesItsSidecarAndSignature() throws Exception {
    Path file = download.fetch(server.url(ASSET), dir);
    assertThat(file).hasBinaryContent(BUILD);
  }

  @Test
  void acceptsABuildWithoutAShaSidecarWhenTheSignatureHolds() throws Exception {
    server.remove(ASSET + ".sha256");
    assertThat(download.fetch(server.url(ASSET), dir)).hasBinaryContent(BUILD);
  }

  @Test
  void acceptsARawSixtyFourByteSignature() throws Exception {
    String text = Builds.sign(trusted.getPrivate(), BUILD).strip();
    server.put(ASSET + ".sig", Base64.getDecoder().decode(text));
    assertThat(download.fetch(server.url(ASSET), dir)).hasBinaryContent(BUILD);
  }

  @Test
  void refusesAnUnsignedBuild() {
    server.remove(ASSET + ".sig");
    assertRefused("not signed");
  }

  @Test
  void refusesABuildSignedByAnotherKey() {
    server.put(ASSET + ".sig", Builds.sign(Builds.keyPair().getPrivate(), BUILD));
    assertRefused("signature is not valid");
  }

  @Test
  void refusesASignatureFileThatIsNotOne() {
    server.put(ASSET + ".sig", "not a signature\n");
    assertRefused("not an Ed25519 signature");
  }

  @Test
  void refusesABuildThatDiffersFromItsShaSidecar() {
    byte[] other = Builds.build("0.6.1");
    server.put(ASSET + ".sha256", Builds.sha256Line(other, "x"));
    assertRefused("does not match its .sha256");
  }

  @Test
  void refusesWhenTheShaSidecarExistsButDoesNotParse() {
    server.put(ASSET + ".sha256", "\n\nsha256 checksums are published here\n");
    assertRefused("does not hold a SHA-256");
  }

  @Test
  void readsTheFirstTokenOfTheFirstNonEmptyLine() throws Exception {
    String sha = "AB".repeat(32);
    assertThat(ReleaseDownload.parseSha256("\n  \n" + sha + " *file.tar.gz\nignored\n"))
        .isEqualTo(sha.toLowerCase(java.util.Locale.ROOT));
  }

  @Test
  void refusesABuildCutShortOfItsContentLength() throws Exception {
    byte[] signature = Builds.sign(trusted.getPrivate(), BUILD).getBytes(StandardCharsets.US_ASCII);
    try (ServerSocket raw = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      pool.submit(
          () -> {
            // Three requests: the .sha256 sidecar, the .sig, then the build, cut off half-way.
            for (int i = 0; i < 3; i++) {
              try (Socket socket = raw.accept()) {
                BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                String path = in.readLine().split(" ")[1];
                while (!in.readLine().isEmpty()) {
                  // Skips the headers.
                }
                OutputStream out = socket.getOutputStream();
                if (path.endsWith(".sha256")) {
                  out.write(reply("404 Not Found", 0, new byte[0]));
                } else if (path.endsWith(".sig")) {
                  out.write(reply("200 OK", signature.length, signature));
                } else {
                  out.write(
                      reply(
                          "200 OK",
                          BUILD.length,
                          java.util.Arrays.copyOf(BUILD, BUILD.length / 2)));
                }
                out.flush();
              }
            }
            return null;
          });
      URI asset = URI.create("http://127.0.0.1:" + raw.getLocalPort() + ASSET);
      assertThatThrownBy(() -> download.fetch(asset, dir))
          .isInstanceOf(UpdateException.class)
          .hasMessageContaining("download");
      try (var left = Files.list(dir)) {
        assertThat(left).isEmpty();
      }
    }
  }

  private static byte[] reply(String status, long length, byte[] body) {
    byte[] head =
        ("HTTP/1.1 " + status + "\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  @Test
  void refusesABuildThatIsSignedButTamperedInTransit() {
    byte[] tampered = BUILD.clone();
    tampered[tampered.length / 2] ^= 1;
    server.put(ASSET, tampered);
    server.remove(ASSET + ".sha256");
    assertRefused("signature is not valid");
  }

  @Test
  void refusesAMissingBuild() {
    server.remove(ASSET);
    assertRefused("HTTP 404");
  }

  @Test
  @Timeout(HANG_GUARD_SECS)
  void abandonsABuildThatStallsMidBodyAtTheIdleTimeout() {
    server.stall(ASSET, BUILD.length, java.util.Arrays.copyOf(BUILD, BUILD.length / 2));
    assertRefusedBy(download(IMPATIENT), "the download stalled: no data for 0.3 s");
  }

  @Test
  @Timeout(HANG_GUARD_SECS)
  void abandonsAShaSidecarThatStallsAtTheExchangeDeadline() {
    server.stall(ASSET + ".sha256", 4000, "ab".getBytes(StandardCharsets.US_ASCII));
    assertRefusedBy(download(IMPATIENT), "the .sha256 sidecar did not arrive within 2 s");
    assertThat(server.requested).doesNotContain(ASSET);
  }

  @Test
  @Timeout(HANG_GUARD_SECS)
  void abandonsASignatureThatStallsAtTheExchangeDeadline() {
    server.stall(ASSET + ".sig", 100, "AAAA".getBytes(StandardCharsets.US_ASCII));
    assertRefusedBy(download(IMPATIENT), "the .sig signature did not arrive within 2 s");
  }

  @Test
  void refusesAnOversizedShaSidecarWithoutReadingItWhole() {
    server.flood(ASSET + ".sha256", 200);
    assertRefused("larger than 4096 bytes");
    assertFloodCutShort();
  }

  @Test
  void neverReadsTheBodyOfAnErrorAnswer() {
    server.flood(ASSET + ".sig", 500);
    assertRefused("HTTP 500");
    assertFloodCutShort();
  }

  @Test
  void neverReadsTheBodyOfABuildThatIsNotThere() {
    server.flood(ASSET, 404);
    assertRefused("HTTP 404");
    assertFloodCutShort();
  }

  @Test
  void downloadsFromAServerThatRefusesUpgradeRequests() throws Exception {
    server.refuseUpgrades();
    assertThat(download.fetch(server.url(ASSET), dir)).hasBinaryContent(BUILD);
  }

  @Test
  void refusesPlainHttpExceptOnLoopback() {
    assertThatThrownBy(() -> safe("http://example.com/a", false))
        .isInstanceOf(UpdateException.class)
        .hasMessage("refusing a download that is not https: http://example.com/a");
    assertThatThrownBy(() -> safe("ftp://127.0.0.1/a", false)).isInstanceOf(UpdateException.class);
    assertThatThrownBy(() -> safe("http://127.0.0.1.nip.io/a", false))
        .isInstanceOf(UpdateException.class);
  }

  @Test
  void acceptsHttpsAndLoopbackHttp() throws Exception {
    safe("https://github.com/a", false);
    safe("http://127.0.0.1:8080/a", false);
    safe("http://[::1]:8080/a", false);
    safe("http://localhost/a", false);
  }

  @Test
  void aDevelopmentBuildAcceptsLoopbackOnly() throws Exception {
    safe("http://127.0.0.1:8080/a", true);
    safe("https://127.0.0.1:8443/a", true);
    safe("http://[::1]:8080/a", true);
    safe("http://localhost/a", true);
    assertThatThrownBy(() -> safe("https://github.com/a?token=x", true))
        .isInstanceOf(UpdateException.class)
        .hasMessageStartingWith(
            "refusing a download that is not on loopback: https://github.com/a;")
        .hasMessageContaining("development build")
        .hasMessageContaining("127.0.0.1, [::1] or localhost")
        .hasMessageNotContaining("token");
    assertThatThrownBy(() -> safe("http://127.0.0.1.nip.io/a", true))
        .isInstanceOf(UpdateException.class)
        .hasMessageContaining("development build");
  }

  @Test
  void aDevelopmentBuildFetchesNoDownloadOffLoopback() {
    ReleaseDownload development =
        new ReleaseDownload(
            new UpdateHttp(AutoUpdate.client(), PATIENT),
            new TrustedKeys(List.of(trusted.getPublic()), true));
    assertThatThrownBy(
            () ->
                development.fetch(
                    URI.create("https://example.test/studio-worker-0.6.0-linux-x64.tar.gz"), dir))
        .isInstanceOf(UpdateException.class)
        .hasMessageContaining("development build");
    assertThat(server.requested).isEmpty();
  }

  @Test
  void aDevelopmentBuildStillDownloadsFromLoopback() throws Exception {
    ReleaseDownload development =
        new ReleaseDownload(
            new UpdateHttp(AutoUpdate.client(), PATIENT),
            new TrustedKeys(List.of(trusted.getPublic()), true));
    assertThat(development.fetch(server.url(ASSET), dir)).hasBinaryContent(BUILD);
  }

  @Test
  void namesAClosedPortAsARefusedConnection() throws Exception {
    URI closed = ClosedPort.url("/studio-worker-0.6.0-linux-x64.tar.gz");
    assertThatThrownBy(() -> download.fetch(closed, dir))
        .isInstanceOf(UpdateException.class)
        .hasMessage("cannot reach the .sha256 sidecar " + closed + ".sha256: connection refused");
  }

  private static void safe(String url, boolean development) throws UpdateException {
    ReleaseDownload.requireSafeUrl(URI.create(url), "a download", development);
  }

  private void assertFloodCutShort() {
    await().atMost(Duration.ofSeconds(30)).untilTrue(server.floodEnded);
    assertThat(server.flooded.get()).isLessThan(READ_AT_MOST);
  }

  private void assertRefused(String why) {
    assertRefusedBy(download, why);
  }

  private void assertRefusedBy(ReleaseDownload download, String why) {
    assertThatThrownBy(() -> download.fetch(server.url(ASSET), dir))
        .isInstanceOf(UpdateException.class)
        .hasMessageContaining(why);
    try (var left = Files.list(dir)) {
      assertThat(left).as("a refused download is deleted").isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
