package org.studioworker.spi.net;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.spi.ExecutorException;

/**
 * The downloader against the JDK's own HTTP server on loopback; the sd-cpp engine's tests drive it
 * through a whole job.
 */
final class InputDownloadsTest {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2};

  @TempDir Path temp;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : closeables.reversed()) {
      closeable.close();
    }
  }

  @Test
  void fetchesIntoMemory() throws Exception {
    HttpServer server = server(Map.of("/init.png", PNG));

    byte[] body = downloads(1024).fetch("initImageUrl", url(server, "/init.png?signature=abc"));

    assertThat(body).containsExactly(PNG);
  }

  @Test
  void storesIntoAFolderNamedByContentHashAndExtension() throws Exception {
    HttpServer server = server(Map.of("/a", PNG));
    Path folder = temp.resolve("inputs");

    Path file = downloads(1024).fetch("maskUrl", url(server, "/a"), folder);

    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(PNG));
    assertThat(file).isEqualTo(folder.resolve(sha256 + ".png"));
    assertThat(Files.readAllBytes(file)).containsExactly(PNG);
  }

  @Test
  void refusesPlainHttpToAnotherHostAndHidesTheQuery() {
    assertThatThrownBy(
            () -> downloads(1024).fetch("initImageUrl", "http://example.com/a.png?token=secret"))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("https")
        .hasMessageContaining("http://example.com/a.png")
        .hasMessageNotContaining("secret");
  }

  @Test
  void refusesAnAnswerOtherThan200AndAnEmptyBody() throws Exception {
    HttpServer server = server(Map.of("/empty", new byte[0]));

    assertThatThrownBy(() -> downloads(1024).fetch("refImageUrl", url(server, "/missing")))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("refImageUrl " + url(server, "/missing") + " answered HTTP 404");
    assertThatThrownBy(() -> downloads(1024).fetch("refImageUrl", url(server, "/empty")))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("refImageUrl " + url(server, "/empty") + " is empty");
  }

  @Test
  void refusesABodyLargerThanTheLimitWithOrWithoutALength() throws Exception {
    HttpServer withLength = server(Map.of("/big", new byte[4096]));
    HttpServer chunked =
        server(
            exchange -> {
              exchange.sendResponseHeaders(200, 0); // 0: chunked, no Content-Length
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[4096]);
              }
            });

    assertThatThrownBy(() -> downloads(1024).fetch("initImageUrl", url(withLength, "/big")))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("larger than the limit of 1 KiB");
    assertThatThrownBy(() -> downloads(1024).fetch("initImageUrl", url(chunked, "/big")))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("larger than the limit of 1 KiB");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aBodyThatGoesQuietFailsAfterTheIdleTimeout() throws Exception {
    CountDownLatch testEnded = new CountDownLatch(1);
    closeables.add(testEnded::countDown);
    HttpServer server =
        server(
            exchange -> {
              exchange.sendResponseHeaders(200, 0);
              OutputStream out = exchange.getResponseBody();
              out.write(PNG, 0, 8);
              out.flush();
              try {
                testEnded.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              exchange.close();
            });
    InputDownloads downloads =
        new InputDownloads(
            InputDownloads.client(), 1024, Duration.ofSeconds(20), Duration.ofMillis(300));

    assertThatThrownBy(() -> downloads.fetch("initImageUrl", url(server, "/a?signature=secret")))
        .isInstanceOf(ExecutorException.class)
        .hasMessage(
            "initImageUrl " + url(server, "/a") + " stalled: no data for 300 ms mid-download");
  }

  @Test
  void followsARedirectThatLandsOnAnAllowedUrl() throws Exception {
    HttpServer target = server(Map.of("/init.png", PNG));
    HttpServer server =
        server(
            exchange -> {
              exchange.getResponseHeaders().add("Location", url(target, "/init.png"));
              exchange.sendResponseHeaders(302, -1);
              exchange.close();
            });

    assertThat(downloads(1024).fetch("initImageUrl", url(server, "/r"))).containsExactly(PNG);
  }

  @Test
  void extensionFollowsTheMagicBytes() {
    assertThat(InputDownloads.extension(PNG)).isEqualTo("png");
    assertThat(InputDownloads.extension(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0}))
        .isEqualTo("jpg");
    assertThat(InputDownloads.extension("RIFF\0\0\0\0WEBPVP8L".getBytes(US_ASCII)))
        .isEqualTo("webp");
    assertThat(InputDownloads.extension("GIF89a".getBytes(US_ASCII))).isEqualTo("gif");
    assertThat(InputDownloads.extension("BM..".getBytes(US_ASCII))).isEqualTo("bmp");
    assertThat(InputDownloads.extension("RIFF\0\0\0\0WAVE".getBytes(US_ASCII))).isEqualTo("img");
    assertThat(InputDownloads.extension(new byte[0])).isEqualTo("img");
  }

  @Test
  void shownDropsUserInfoQueryAndFragment() {
    assertThat(
            InputDownloads.shown(URI.create("https://user:pw@cdn.example:8443/a/b.png?sig=x#top")))
        .isEqualTo("https://cdn.example:8443/a/b.png");
  }

  // --- data: URLs -------------------------------------------------------------------------

  @Test
  void decodesABase64DataUrlWithoutTheNetwork() throws Exception {
    String base64 = Base64.getEncoder().encodeToString(PNG);

    assertThat(downloads(1024).fetch("initImageUrl", "data:image/png;base64," + base64))
        .containsExactly(PNG);
    // Any case; whitespace in the data; padding left out.
    String unpadded = Base64.getEncoder().withoutPadding().encodeToString(PNG);
    String folded = unpadded.substring(0, 5) + "\r\n " + unpadded.substring(5);
    assertThat(downloads(1024).fetch("initImageUrl", "DATA:image/PNG;BASE64," + folded))
        .containsExactly(PNG);
    // Percent-escapes in base64 (%2B is +, %3D is =), as a URL-encoder writes them.
    byte[] plus = {(byte) 0xFB, (byte) 0xEF};
    assertThat(downloads(1024).fetch("maskUrl", "data:;base64,%2B%2B8%3D")).containsExactly(plus);
  }

  @Test
  void decodesAPercentEncodedDataUrl() throws Exception {
    assertThat(downloads(1024).fetch("refImageUrl", "data:,hello%20world"))
        .containsExactly("hello world".getBytes(US_ASCII));
    assertThat(
            downloads(1024)
                .fetch("refImageUrl", "data:text/plain;charset=utf-8,%E2%9C%93%0A\u00e9"))
        .containsExactly(0xE2, 0x9C, 0x93, 0x0A, 0xC3, 0xA9);
  }

  @Test
  void storesADataUrlIntoAFolderLikeADownload() throws Exception {
    Path folder = temp.resolve("inputs");

    Path file =
        downloads(1024)
            .fetch(
                "initImageUrl",
                "data:image/png;base64," + Base64.getEncoder().encodeToString(PNG),
                folder);

    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(PNG));
    assertThat(file).isEqualTo(folder.resolve(sha256 + ".png"));
    assertThat(Files.readAllBytes(file)).containsExactly(PNG);
  }

  @Test
  void refusesAMalformedDataUrlWithoutShowingItsContent() {
    for (String url :
        List.of(
            "data:image/png;base64",
            "data:image/png;base64,c2VjcmV0@@@",
            "data:image/png;base64,c2VjcmV0=c2VjcmV0",
            "data:,secret%zz",
            "data:,secret%2",
            "data:image png,secret",
            "data:image/png;secret,abc",
            "data:" + "x".repeat(2000) + ",abc")) {
      assertThatThrownBy(() -> downloads(1024).fetch("initImageUrl", url))
          .as(url)
          .isInstanceOf(ExecutorException.class)
          .hasMessage("initImageUrl is not a valid data: URL");
    }
  }

  @Test
  void refusesADataUrlLargerThanTheLimitDecodedOrAlreadyAsEncoded() {
    // 1025 bytes once decoded, from fewer than 1025 * 3 characters.
    String decodedTooLarge = "data:,%00" + "a".repeat(1024);
    // Not even base64, but too long to decode to 1 KiB or less: refused before decoding.
    String encodedTooLarge = "data:image/png;base64," + "!".repeat(4096);

    assertThatThrownBy(() -> downloads(1024).fetch("initImageUrl", decodedTooLarge))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("initImageUrl data:,… is larger than the limit of 1 KiB");
    assertThatThrownBy(() -> downloads(1024).fetch("initImageUrl", encodedTooLarge))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("initImageUrl data:image/png,… is larger than the limit of 1 KiB");
    String justFits = "data:;base64," + Base64.getEncoder().encodeToString(new byte[1024]);
    assertThatCode(() -> downloads(1024).fetch("initImageUrl", justFits))
        .doesNotThrowAnyException();
  }

  @Test
  void refusesAnEmptyDataUrl() {
    assertThatThrownBy(() -> downloads(1024).fetch("maskUrl", "data:image/png;base64,"))
        .isInstanceOf(ExecutorException.class)
        .hasMessage("maskUrl data:image/png,… is empty");
  }

  @Test
  void shownGivesADataUrlsMediaTypeOnly() {
    assertThat(InputDownloads.shown(URI.create("data:image/png;base64,c2VjcmV0")))
        .isEqualTo("data:image/png,…");
    assertThat(InputDownloads.shown(URI.create("data:,secret"))).isEqualTo("data:,…");
    assertThat(InputDownloads.shown(URI.create("data:text/plain;charset=utf-8,secret")))
        .isEqualTo("data:text/plain,…");
  }

  private static InputDownloads downloads(long maxBytes) {
    return new InputDownloads(
        InputDownloads.client(),
        maxBytes,
        Duration.ofSeconds(20),
        InputDownloads.DEFAULT_IDLE_TIMEOUT);
  }

  private HttpServer server(Map<String, byte[]> files) throws IOException {
    return server(
        exchange -> {
          byte[] body = files.get(exchange.getRequestURI().getPath());
          if (body == null) {
            exchange.sendResponseHeaders(404, -1);
          } else {
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
  }

  /** A loopback server with one handler, each exchange on a virtual thread of its own. */
  private HttpServer server(HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", handler);
    server.start();
    closeables.add(() -> server.stop(0));
    return server;
  }

  private static String url(HttpServer server, String pathAndQuery) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
  }
}
