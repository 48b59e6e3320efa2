package org.studioworker.runtime.localapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so that a test sends exactly the headers a browser or an attacker
 * would ({@code Host}, {@code Origin}), which {@link java.net.http.HttpClient} does not allow.
 */
final class RawHttp {
  /** An answer: status, headers (lower-case names) and body. */
  record Answer(int status, Map<String, String> headers, String body) {}

  private RawHttp() {}

  /**
   * Sends {@code head} (request line and headers, without the blank line) and {@code body}, with
   * {@code Connection: close}, and reads the whole answer.
   */
  static Answer send(URI base, String head, byte[] body) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** A request with the usual loopback {@code Host} and, when not null, a bearer token. */
  static Answer request(URI base, String method, String path, String token, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort());
    if (token != null) {
      head.append("\r\nAuthorization: Bearer ").append(token);
    }
    if (bytes.length > 0 || method.equals("POST") || method.equals("PUT")) {
      head.append("\r\nContent-Type: application/json\r\nContent-Length: ").append(bytes.length);
    }
    return send(base, head.toString(), bytes);
  }

  /** Reads one answer: the head, then the body by its length, else up to the end of the stream. */
  static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("no complete answer: " + head.toString(StandardCharsets.UTF_8));
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).strip().split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).strip());
    }
    String length = headers.get("content-length");
    byte[] bytes = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
    String body = new String(bytes, StandardCharsets.UTF_8);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = unchunk(body);
    }
    return new Answer(status, headers, body);
  }

  private static String unchunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int eol = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, eol).strip(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(chunked, eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
  }
}
