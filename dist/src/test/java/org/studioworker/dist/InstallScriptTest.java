package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code install.sh} as operators run it, on a stand-in build: the real script and unit from {@code
 * src/dist}, a {@code VERSION}, and a launcher that only records its arguments, so no JVM starts
 * and no archive is needed. {@code systemctl} is a stand-in on {@code PATH} that records its calls
 * and, when told, has no user bus. Nothing is written outside the test's folder: the system install
 * goes under {@code --prefix}, the user install under a temporary {@code HOME}.
 *
 * <p>Tests run as root here; the user install then runs as {@code nobody} through {@code setpriv}
 * (util-linux), and as the current user when the tests are not root.
 */
final class InstallScriptTest {
  /** The script copies a few files; a minute is a hang, not a slow machine. */
  private static final long TIMEOUT_SECS = 60;

  private static final String NOBODY = "65534";

  @TempDir Path dir;

  private Path build;
  private Path fakes;
  private Path home;
  private Path calls;

  private record Result(int exit, String output) {}

  @BeforeEach
  void standInBuild() throws Exception {
    // Readable and writable by the throwaway user too.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    build = Files.createDirectories(dir.resolve("studio-worker-0.5.0"));
    Files.createDirectories(build.resolve("bin"));
    Files.createDirectories(build.resolve("systemd"));
    Files.copy(Path.of("src/dist/install.sh"), build.resolve("install.sh"));
    Files.copy(
        Path.of("src/dist/systemd/studio-worker.service"),
        build.resolve("systemd/studio-worker.service"));
    Files.writeString(build.resolve("VERSION"), "0.5.0\n", StandardCharsets.US_ASCII);
    script(build.resolve("bin/studio-worker"), "echo \"launcher $*\" >> \"$CALLS\"\n");
    fakes = Files.createDirectories(dir.resolve("fakes"));
    script(
        fakes.resolve("systemctl"),
        """
        echo "systemctl $*" >> "$CALLS"
        if [ -n "${NO_USER_BUS:-}" ] && [ "$1" = --user ]; then
          echo "Failed to connect to bus: No medium found" >&2
          exit 1
        fi
        """);
    home = Files.createDirectories(dir.resolve("home"));
    calls = dir.resolve("calls.log");
    Files.writeString(calls, "");
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path path : all.toList()) {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
      }
    }
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() throws Exception {
    Result result = run(asCurrentUser(), Map.of(), "--help");
    assertThat(result.exit()).isZero();
    assertThat(result.output())
        .startsWith("usage: install.sh")
        .contains("--studio URL", "--root DIR", "--no-service", "--prefix DIR");
  }

  @Test
  void aMissingOptionValueIsAUsageErrorThatNamesTheOption() throws Exception {
    Result root = run(asCurrentUser(), Map.of(), "--root");
    assertThat(root.exit()).isEqualTo(2);
    assertThat(root.output()).contains("--root needs a value").doesNotContain("unbound");
    Result studio = run(asCurrentUser(), Map.of(), "--studio", "--no-service");
    assertThat(studio.exit()).isEqualTo(2);
    assertThat(studio.output()).contains("--studio needs a value");
    Result unknown = run(asCurrentUser(), Map.of(), "--frobnicate");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.output()).contains("unknown option --frobnicate");
  }

  @Test
  void asRootIntoAPrefixWritesTheSystemLayoutAndNamesTheFinalPaths() throws Exception {
    assumeThat(uid()).as("the system install is what root gets").isEqualTo("0");
    Path prefix = dir.resolve("prefix");
    Result result =
        run(asCurrentUser(), Map.of(), "--prefix", prefix.toString(), "--studio", "https://s/");

    assertThat(result.exit()).as(result.output()).isZero();
    String config = "/var/lib/studio-worker/.config/minis-studio-worker/config.toml";
    assertThat(Files.readSymbolicLink(prefix.resolve("opt/studio-worker/current")))
        .isEqualTo(Path.of("versions/0.5.0"));
    assertThat(Files.readSymbolicLink(prefix.resolve("usr/local/bin/studio-worker")))
        .isEqualTo(Path.of("/opt/studio-worker/current/bin/studio-worker"));
    String unit = Files.readString(prefix.resolve("etc/systemd/system/studio-worker.service"));
    assertThat(unit)
        .contains("User=studio-worker\n")
        .contains("Environment=HOME=/var/lib/studio-worker\n")
        .contains(
            "ExecStart=/opt/studio-worker/current/bin/studio-worker --config " + config + " run\n")
        .contains("After=network-online.target")
        .contains("WantedBy=multi-user.target")
        .doesNotContain("@");
    assertThat(Files.readString(calls))
        .as("no systemctl under --prefix; register writes the service's config, under the prefix")
        .isEqualTo(
            "launcher --config " + prefix + config + " register --api-base-url https://s/\n");
    assertThat(result.output())
        .contains("config:  " + config)
        .contains("/usr/local/bin/studio-worker --config " + config + " status")
        .contains("systemctl status studio-worker")
        .contains("journalctl -u studio-worker -f");
  }

  @Test
  void asAUserInstallsAUserUnitWithoutTheNetworkTargetAndACommandInLocalBin() throws Exception {
    Result result = run(asAUser(), Map.of(), "--studio", "https://s/");

    assertThat(result.exit()).as(result.output()).isZero();
    Path root = home.resolve(".local/share/studio-worker");
    String config = home.resolve(".config/minis-studio-worker/config.toml").toString();
    assertThat(Files.readSymbolicLink(root.resolve("current")))
        .isEqualTo(Path.of("versions/0.5.0"));
    assertThat(Files.readSymbolicLink(home.resolve(".local/bin/studio-worker")))
        .isEqualTo(root.resolve("current/bin/studio-worker"));
    String unit = Files.readString(home.resolve(".config/systemd/user/studio-worker.service"));
    assertThat(unit)
        .doesNotContain("network-online.target")
        .doesNotContain("\nUser=")
        .contains("ExecStart=" + root + "/current/bin/studio-worker --config " + config + " run\n")
        .contains("Type=notify\nNotifyAccess=all\n")
        .contains("WatchdogSec=")
        .contains("WantedBy=default.target");
    assertThat(Files.readString(calls).lines())
        .containsExactly(
            "systemctl --user show-environment",
            "launcher --config " + config + " register --api-base-url https://s/",
            "systemctl --user daemon-reload",
            "systemctl --user enable --now --no-block studio-worker.service");
    assertThat(result.output())
        .contains("config:  " + config)
        .contains("systemctl --user status studio-worker")
        .contains("journalctl --user -u studio-worker -f")
        .contains("is not on your PATH");
  }

  @Test
  void asAUserWithoutAUserBusStopsBeforeWritingAnythingAndSaysWhatToDo() throws Exception {
    Result result = run(asAUser(), Map.of("NO_USER_BUS", "1"), "--studio", "https://s/");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output())
        .contains("cannot reach your systemd user instance")
        .contains("--no-service")
        .contains("loginctl enable-linger")
        .contains("Nothing was installed.");
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left).as("nothing half-done").isEmpty();
    }
    assertThat(Files.readString(calls)).isEqualTo("systemctl --user show-environment\n");
  }

  @Test
  void noServiceUnpacksOnlyWithoutACommandOnPath() throws Exception {
    Result result = run(asAUser(), Map.of(), "--no-service");

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(home.resolve(".local/share/studio-worker/current")).exists();
    assertThat(home.resolve(".local/bin")).doesNotExist();
    assertThat(home.resolve(".config")).doesNotExist();
    assertThat(Files.readString(calls)).isEmpty();
  }

  /** The command prefix that runs the script as a user that is not root. */
  private List<String> asAUser() throws Exception {
    if (!uid().equals("0")) {
      return asCurrentUser();
    }
    assumeThat(Path.of("/usr/bin/setpriv")).as("setpriv, to drop root").exists();
    return List.of(
        "/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "env");
  }

  private static List<String> asCurrentUser() {
    return List.of("env");
  }

  /** Runs install.sh with a clean environment: the stand-ins first on PATH, HOME the test's. */
  private Result run(List<String> as, Map<String, String> extra, String... args) throws Exception {
    List<String> command = new ArrayList<>(as);
    command.add("-i");
    command.add("PATH=" + fakes + ":/usr/sbin:/usr/bin:/sbin:/bin");
    command.add("HOME=" + home);
    command.add("CALLS=" + calls);
    extra.forEach((key, value) -> command.add(key + "=" + value));
    command.add(build.resolve("install.sh").toString());
    command.addAll(List.of(args));
    Path output = dir.resolve("output.log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean done = process.waitFor(TIMEOUT_SECS, TimeUnit.SECONDS);
    if (!done) {
      process.destroyForcibly();
    }
    assertThat(done).as("install.sh ended").isTrue();
    return new Result(process.exitValue(), Files.readString(output));
  }

  private static String uid() throws IOException, InterruptedException {
    Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
    String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
    id.waitFor(TIMEOUT_SECS, TimeUnit.SECONDS);
    return out;
  }

  private static void script(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
