package org.studioworker.runtime.update;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;

/** A loopback port that nothing listens on: bound for a moment to find a free one, then closed. */
final class ClosedPort {
  private ClosedPort() {}

  /** {@code http://127.0.0.1:<closed port><path>}. */
  static URI url(String path) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
