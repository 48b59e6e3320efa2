package org.studioworker.runtime.localapi;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.studioworker.runtime.config.OwnerOnlyFiles;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The discovery file {@code local-api.json} beside the config: where the running daemon's local API
 * listens and its bearer token, {@code {"url":"http://127.0.0.1:4787","token":"<64 hex>"}}.
 *
 * <p>Written atomically with mode 0600 after every bind, removed on a clean stop. Local clients
 * (the CLI's {@code pause}, {@code logs}, a UI, scripts) read it. {@link #toString()} leaves the
 * token out.
 */
public record Discovery(URI url, String token) {
  /** The file's name, in the config's folder. */
  public static final String FILE_NAME = "local-api.json";

  /** The largest discovery file read: a real one is about 110 bytes. */
  private static final int MAX_BYTES = 4096;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Rejects nulls and an empty token. */
  public Discovery {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(token, "token");
    if (token.isEmpty()) {
      throw new IllegalArgumentException("the local API token must not be empty");
    }
  }

  /** The discovery file of the config at {@code configPath}. */
  public static Path pathFor(Path configPath) {
    Path parent = configPath.toAbsolutePath().normalize().getParent();
    return parent == null ? Path.of(FILE_NAME) : parent.resolve(FILE_NAME);
  }

  /** Writes {@code file} atomically, mode 0600. */
  public void write(Path file) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("url", url.toString());
    node.put("token", token);
    OwnerOnlyFiles.write(file, JSON.writeValueAsBytes(node));
  }

  /**
   * Reads {@code file}.
   *
   * @return empty when there is no file (no daemon serves the API for this config)
   * @throws IOException when the file cannot be read or does not hold a URL and a token; the
   *     message never quotes the file
   */
  public static Optional<Discovery> read(Path file) throws IOException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IOException(file + " is larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
      JsonNode url = node.get("url");
      JsonNode token = node.get("token");
      if (url == null || !url.isString() || token == null || !token.isString()) {
        throw new IOException(file + " does not hold a url and a token");
      }
      URI uri = URI.create(url.asString());
      if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IOException(file + " does not hold an http URL");
      }
      return Optional.of(new Discovery(uri, token.asString()));
    } catch (JacksonException | IllegalArgumentException e) {
      throw new IOException(file + " is not a local API discovery file");
    }
  }

  @Override
  public String toString() {
    return "Discovery[url=" + url + "]";
  }
}
