package org.studioworker.executors.onnx;

import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Real encoded inputs for the engine's tests, and a loopback server that serves them. */
final class TestImages implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  TestImages() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          byte[] body = files.get(exchange.getRequestURI().getPath());
          if (body == null) {
            exchange.sendResponseHeaders(404, -1);
          } else {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
  }

  /** Serves {@code body} at {@code path}; returns its URL. */
  String serve(String path, byte[] body) {
    files.put(path, body);
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** A busy pattern, so that a resize or a lost pixel shows. */
  static BufferedImage pattern(int w, int h) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, ((x * 3) & 0xFF) << 16 | ((y * 5) & 0xFF) << 8 | ((x + y) & 0xFF));
      }
    }
    return image;
  }

  /** A black mask with a white rectangle. */
  static BufferedImage mask(int w, int h, int x0, int y0, int x1, int y1) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        image.setRGB(x, y, 0xFFFFFF);
      }
    }
    return image;
  }

  static byte[] png(BufferedImage image) {
    return write(image, "png", false);
  }

  static byte[] jpeg(BufferedImage image, boolean progressive) {
    return write(image, "jpeg", progressive);
  }

  private static byte[] write(BufferedImage image, String format, boolean progressive) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** One models root for the whole test run: ONNX Runtime loads once per JVM, from there. */
  static Path modelsRoot() {
    return Path.of("target", "onnx-test-models").toAbsolutePath();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
