package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;

/**
 * The packaged product as a user gets it: the archive that {@code package} built (the failsafe
 * property {@code studio.dist.archive}), unpacked with {@code tar}, installed with {@code
 * install.sh --no-service}, and {@code bin/studio-worker} started as a real process.
 */
final class PackagedInstall {
  /** Unpacking, install.sh and repackaging each take a few seconds at most. */
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  private PackagedInstall() {}

  /** The archive built by {@code package}. */
  static Path archive() {
    Path archive = Path.of(requiredProperty("studio.dist.archive"));
    assertThat(archive).as("run `./mvnw -pl dist verify`: package builds it").isRegularFile();
    return archive;
  }

  /** The key that signed {@link #archive()}: the development key unless a release build. */
  static Path signingKey() {
    return Path.of(requiredProperty("studio.dist.signingKey"));
  }

  /** The version in the archive's name, {@code studio-worker-<version>-linux-x64.tar.gz}. */
  static String version(Path archive) {
    String name = archive.getFileName().toString();
    return name.substring("studio-worker-".length(), name.length() - "-linux-x64.tar.gz".length());
  }

  /** Unpacks {@code archive} under {@code dir}; returns its top folder. */
  static Path unpack(Path archive, Path dir) throws Exception {
    Files.createDirectories(dir);
    exec(dir, "tar", "-xzf", archive.toString(), "-C", dir.toString());
    try (Stream<Path> top = Files.list(dir)) {
      return top.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  /** Unpacks the archive and runs its {@code install.sh --no-service --root root}. */
  static void install(Path archive, Path scratch, Path root) throws Exception {
    Path unpacked = unpack(archive, scratch);
    exec(
        scratch,
        unpacked.resolve("install.sh").toString(),
        "--no-service",
        "--root",
        root.toString());
  }

  /** The version {@code <root>/current} points at. */
  static String current(Path root) throws IOException {
    return Files.readSymbolicLink(root.resolve("current")).getFileName().toString();
  }

  /**
   * Writes a TOML config with the studio's URL and the worker's credentials, so that the worker
   * connects without registering. {@code feed}, when given, turns the self-update on with a check
   * every second.
   */
  static Path writeConfig(Path dir, DevStudio studio, WorkerCredentials worker, @Nullable URI feed)
      throws IOException {
    StringBuilder toml = new StringBuilder();
    toml.append("api_base_url = \"").append(studio.baseUrl()).append("\"\n");
    toml.append("worker_id = \"").append(worker.workerId()).append("\"\n");
    toml.append("auth_token = \"").append(worker.authToken()).append("\"\n");
    toml.append("models_root = \"").append(dir.resolve("models")).append("\"\n");
    if (feed != null) {
      toml.append("auto_update_enabled = true\n");
      toml.append("auto_update_feed = \"").append(feed).append("\"\n");
      toml.append("auto_update_interval_secs = 1\n");
    } else {
      toml.append("auto_update_enabled = false\n");
    }
    Path config = dir.resolve("config.toml");
    Files.writeString(config, toml, StandardCharsets.UTF_8);
    return config;
  }

  /**
   * Starts {@code <root>/current/bin/studio-worker --config <config> run}, output to {@code log};
   * {@code HOME} is the config's folder so that nothing is written outside the test's folder.
   */
  static Process startRun(Path root, Path config, Path log, Map<String, String> env)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                root.resolve("current/bin/studio-worker").toString(),
                "--config",
                config.toString(),
                "run")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("HOME", config.getParent().toString());
    builder.environment().remove("STUDIO_WORKER_HOME");
    builder.environment().putAll(env);
    return builder.start();
  }

  /**
   * A copy of the unpacked build {@code original} as version {@code version}: top folder renamed,
   * {@code VERSION} rewritten, and the runtime's {@code version.properties} changed so that the
   * worker reports the new version. Packed like {@code package.sh} packs, but with hard links
   * stored as files, to {@code <out>/studio-worker-<version>-linux-x64.tar.gz}, unsigned.
   */
  static Path repackage(Path original, String version, Path out) throws Exception {
    return repackage(original, version, out, build -> {});
  }

  /** A change to an unpacked build before it is packed; gets the build's top folder. */
  @FunctionalInterface
  interface BuildEdit {
    void apply(Path build) throws Exception;
  }

  /**
   * As {@link #repackage(Path, String, Path)}, with {@code edit} applied to the copy after the
   * version is set and before it is packed: a newer build that is broken in a chosen way.
   */
  static Path repackage(Path original, String version, Path out, BuildEdit edit) throws Exception {
    Path stage = out.resolve("stage-" + version);
    String name = "studio-worker-" + version;
    Files.createDirectories(stage);
    exec(out, "cp", "-a", original.toString(), stage.resolve(name).toString());
    Path build = stage.resolve(name);
    Files.writeString(build.resolve("VERSION"), version + "\n", StandardCharsets.US_ASCII);
    Path runtimeJar;
    try (Stream<Path> jars = Files.list(build.resolve("lib"))) {
      runtimeJar =
          jars.filter(jar -> jar.getFileName().toString().startsWith("worker-runtime-"))
              .findFirst()
              .orElseThrow();
    }
    try (FileSystem jar = FileSystems.newFileSystem(runtimeJar)) {
      Files.writeString(
          jar.getPath("org/studioworker/runtime/version.properties"),
          "version=" + version + "\n",
          StandardCharsets.ISO_8859_1);
    }
    edit.apply(build);
    Path archive = out.resolve(name + "-linux-x64.tar.gz");
    exec(
        out,
        "tar",
        // Hard links stored as files: the updater unpacks files and folders only, and jlink's
        // runtime/legal/ holds one file under several names. package.sh's own `tar --dereference`
        // still stores those as hard links (type '1'), which the updater refuses.
        "--hard-dereference",
        "--sort=name",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        "-C",
        stage.toString(),
        "-czf",
        archive.toString(),
        name);
    return archive;
  }

  /** Writes {@code <archive>.sig} and {@code <archive>.sha256} as {@code SignBuild.java} does. */
  static void sign(Path archive, PrivateKey key) throws Exception {
    byte[] bytes = Files.readAllBytes(archive);
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key);
    signer.update(bytes);
    String name = archive.getFileName().toString();
    Files.writeString(
        archive.resolveSibling(name + ".sig"),
        Base64.getEncoder().encodeToString(signer.sign()) + "\n",
        StandardCharsets.US_ASCII);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    Files.writeString(
        archive.resolveSibling(name + ".sha256"),
        sha + "  " + name + "\n",
        StandardCharsets.US_ASCII);
  }

  /** Reads a base64 PKCS#8 Ed25519 private key file, the format {@code SignBuild.java} reads. */
  static PrivateKey readKey(Path file) throws Exception {
    return KeyFactory.getInstance("Ed25519")
        .generatePrivate(
            new PKCS8EncodedKeySpec(Base64.getDecoder().decode(Files.readString(file).strip())));
  }

  /** A version above {@code version}: the next minor, for example 0.5.0-SNAPSHOT → 0.6.0. */
  static String nextMinor(String version) {
    String[] parts = version.split("[.-]");
    return parts[0] + "." + (Integer.parseInt(parts[1]) + 1) + ".0";
  }

  private static void exec(Path dir, String... command) throws Exception {
    Path output = Files.createTempFile(dir, "exec-", ".log");
    Process process =
        new ProcessBuilder(new ArrayList<>(List.of(command)))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean done = process.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!done) {
      process.destroyForcibly();
    }
    assertThat(done && process.exitValue() == 0)
        .as("%s: %s", String.join(" ", command), Files.readString(output))
        .isTrue();
    Files.delete(output);
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null) {
      throw new IllegalStateException(name + " is not set; failsafe sets it (dist/pom.xml)");
    }
    return value;
  }
}
