package org.studioworker.devstudio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 request over a plain socket, for replies that stall or never come: the test sees
 * exactly the bytes the studio sent before it closed the connection. Every read times out.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  /** Sends a POST with a bearer and a body; the reply is read with {@link #readUntilClosed}. */
  static RawHttp post(
      DevStudio studio, String path, String bearer, String contentType, byte[] body, Duration read)
      throws IOException {
    Socket socket = new Socket("127.0.0.1", studio.port());
    socket.setSoTimeout((int) read.toMillis());
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + studio.port()
            + "\r\nAuthorization: Bearer "
            + bearer
            + "\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return new RawHttp(socket);
  }

  /**
   * Everything the studio sent until it closed or reset the connection.
   *
   * @throws java.net.SocketTimeoutException when the studio neither sends nor closes in time
   */
  byte[] readUntilClosed() throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        got.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // A reset is a close too: what arrived before it is the answer.
    }
    return got.toByteArray();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
