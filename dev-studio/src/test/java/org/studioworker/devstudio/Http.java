package org.studioworker.devstudio;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Small blocking HTTP calls against a studio, with the JDK client. */
final class Http {
  private final HttpClient client;
  private final URI base;

  Http(HttpClient client, DevStudio studio) {
    this.client = client;
    this.base = studio.baseUrl();
  }

  HttpResponse<String> get(String path) throws Exception {
    return get(path, null);
  }

  HttpResponse<String> get(String path, @Nullable String bearer) throws Exception {
    return send(request(path, bearer).GET().build());
  }

  HttpResponse<byte[]> getBytes(String path) throws Exception {
    return client.send(request(path, null).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return send(
        request(path, null)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  /** The multipart upload of a binary result, as PROTOCOL.md §4 step 5 describes it. */
  HttpResponse<String> complete(
      String workerId,
      String jobId,
      @Nullable String bearer,
      String prompt,
      String ext,
      String filename,
      String contentType,
      byte[] bytes)
      throws Exception {
    return send(
        request("graphics/api/workers/" + workerId + "/jobs/" + jobId + "/complete", bearer)
            .header("Content-Type", MULTIPART_TYPE)
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    multipart(prompt, ext, filename, contentType, bytes)))
            .build());
  }

  /** The content type of {@link #multipart}'s bodies. */
  static final String MULTIPART_TYPE = "multipart/form-data; boundary=studio-worker-boundary-42";

  /**
   * The body of a multipart upload: text parts {@code prompt} and {@code ext}, file {@code image}.
   */
  static byte[] multipart(
      String prompt, String ext, String filename, String contentType, byte[] bytes) {
    String boundary = "studio-worker-boundary-42";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    textPart(body, boundary, "prompt", prompt);
    textPart(body, boundary, "ext", ext);
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""
                + filename
                + "\"\r\nContent-Type: "
                + contentType
                + "\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(bytes);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return body.toByteArray();
  }

  private static void textPart(
      ByteArrayOutputStream body, String boundary, String name, String value) {
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\""
                + name
                + "\"\r\n\r\n"
                + value
                + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  private HttpRequest.Builder request(String path, @Nullable String bearer) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    return builder;
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
