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
 * {@code install.sh} as operators run it, on a stand-in build: the real script and units from
 * {@code src/dist}, a {@code VERSION}, and a launcher that only records its arguments (and answers
 * {@code gpu --json} with the line in {@code GPU_JSON}), so no JVM starts and no archive is needed.
 * {@code systemctl} is a stand-in on {@code PATH} that records its calls, keeps the enabled units
 * in a file (so {@code is-enabled} answers what {@code enable} and {@code disable} did) and, when
 * told, has no user bus. Nothing is written outside the test's folder: the system install goes
 * under {@code --prefix}, the user install under a temporary {@code HOME}.
 *
 * <p>Tests run as root here; the user install then runs as {@code nobody} through {@code setpriv}
 * (util-linux), and as the current user when the tests are not root.
 */
final class InstallScriptTest {
  /** The script copies a few files; a minute is a hang, not a slow machine. */
  private static final long TIMEOUT_SECS = 60;

  private static final String NOBODY = "65534";

  /**
   * Two GPUs as {@code studio-worker gpu --json} prints them (GpuSnapshot.toJson), the second with
   * a quote in its name and the numbers NVML did not give as null.
   */
  private static final String TWO_GPUS =
      """
      {"source":"nvml","driver":"550.54.15","note":null,"readAt":"2026-12-01T10:00:00Z","gpus":[\
      {"index":0,"name":"NVIDIA L4","uuid":"GPU-0f1e2d3c","totalBytes":24152899584,\
      "freeBytes":23622320128,"usedBytes":530579456,"utilisationPercent":0,"temperatureCelsius":41},\
      {"index":1,"name":"NVIDIA A100 \\"SXM\\"","uuid":"GPU-9a8b7c6d","totalBytes":85899345920,\
      "freeBytes":null,"usedBytes":null,"utilisationPercent":null,"temperatureCelsius":null}]}\
      """;

  private static final String NO_GPU =
      """
      {"source":"none","driver":null,"note":"no NVIDIA driver (libnvidia-ml.so.1 not found)",\
      "readAt":"2026-12-01T10:00:00Z","gpus":[]}\
      """;

  @TempDir Path dir;

  private Path build;
  private Path fakes;
  private Path home;
  private Path calls;
  private Path enabled;

  private record Result(int exit, String output) {}

  @BeforeEach
  void standInBuild() throws Exception {
    // Readable and writable by the throwaway user too.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    build = Files.createDirectories(dir.resolve("studio-worker-0.5.0"));
    Files.createDirectories(build.resolve("bin"));
    Files.createDirectories(build.resolve("systemd"));
    Files.copy(Path.of("src/dist/install.sh"), build.resolve("install.sh"));
    for (String unit : List.of("studio-worker.service", "studio-worker@.service")) {
      Files.copy(Path.of("src/dist/systemd", unit), build.resolve("systemd", unit));
    }
    Files.writeString(build.resolve("VERSION"), "0.5.0\n", StandardCharsets.US_ASCII);
    script(
        build.resolve("bin/studio-worker"),
        """
        echo "launcher $*" >> "$CALLS"
        if [ "$1" = gpu ]; then printf '%s\\n' "$GPU_JSON"; fi
        """);
    fakes = Files.createDirectories(dir.resolve("fakes"));
    script(
        fakes.resolve("systemctl"),
        """
        echo "systemctl $*" >> "$CALLS"
        if [ -n "${NO_USER_BUS:-}" ] && [ "$1" = --user ]; then
          echo "Failed to connect to bus: No medium found" >&2
          exit 1
        fi
        verb="" units=""
        for arg in "$@"; do
          case "$arg" in
            -*) ;;
            *) if [ -z "$verb" ]; then verb="$arg"; else units="$units $arg"; fi ;;
          esac
        done
        for unit in $units; do
          case "$verb" in
            is-enabled) grep -qxF "$unit" "$ENABLED" || exit 1 ;;
            enable) grep -qxF "$unit" "$ENABLED" || echo "$unit" >> "$ENABLED" ;;
            disable) grep -vxF "$unit" "$ENABLED" > "$ENABLED.new"; mv "$ENABLED.new" "$ENABLED" ;;
          esac
        done
        """);
    home = Files.createDirectories(dir.resolve("home"));
    calls = dir.resolve("calls.log");
    Files.writeString(calls, "");
    enabled = dir.resolve("enabled.txt");
    Files.writeString(enabled, "");
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
        .contains("--studio URL", "--root DIR", "--no-service", "--prefix DIR")
        .contains("--per-gpu", "--gpus LIST");
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

  @Test
  void gpusWithoutPerGpuAndPerGpuWithoutAServiceAreUsageErrors() throws Exception {
    Result gpus = run(asCurrentUser(), Map.of(), "--gpus", "0,1");
    assertThat(gpus.exit()).isEqualTo(2);
    assertThat(gpus.output()).contains("--gpus picks the GPUs of --per-gpu");
    Result noService = run(asCurrentUser(), Map.of(), "--per-gpu", "--no-service");
    assertThat(noService.exit()).isEqualTo(2);
    assertThat(noService.output()).contains("does not go with --no-service");
    Result list = run(asCurrentUser(), Map.of(), "--per-gpu", "--gpus", "0,,1");
    assertThat(list.exit()).isEqualTo(2);
    assertThat(list.output()).contains("GPU indexes separated by commas");
    assertThat(Files.readString(calls)).as("nothing ran").isEmpty();
  }

  @Test
  void perGpuAsRootIntoAPrefixWritesTheTemplateWithItsPathsFilledAndOneConfigPerGpu()
      throws Exception {
    assumeThat(uid()).as("the system install is what root gets").isEqualTo("0");
    Path prefix = dir.resolve("prefix");
    Result result =
        run(
            asCurrentUser(),
            Map.of("GPU_JSON", TWO_GPUS),
            "--per-gpu",
            "--prefix",
            prefix.toString(),
            "--studio",
            "https://s/");

    assertThat(result.exit()).as(result.output()).isZero();
    String base = "/var/lib/studio-worker/.config/minis-studio-worker";
    String unit = Files.readString(prefix.resolve("etc/systemd/system/studio-worker@.service"));
    assertThat(unit)
        .contains(
            "Description=studio-worker GPU job worker for the minis.gg studio, pinned to GPU %i\n")
        .contains("User=studio-worker\n")
        .contains("Environment=HOME=/var/lib/studio-worker\n")
        .contains(
            "ExecStart=/opt/studio-worker/current/bin/studio-worker --config "
                + base
                + "/gpu-%i/config.toml run --gpu %i\n")
        .contains("Type=notify\nNotifyAccess=all\n")
        .contains("WatchdogSec=120\n")
        .contains("After=network-online.target")
        .contains("WantedBy=multi-user.target")
        .as("every placeholder filled (the unit's own name has an @)")
        .doesNotContainPattern("@[A-Z_]+@");
    assertThat(prefix.resolve("etc/systemd/system/studio-worker.service"))
        .as("one worker per GPU, not also one for the whole machine")
        .doesNotExist();
    assertThat(Files.readString(calls).lines())
        .as("the GPUs are listed first; --studio goes into each GPU's own config")
        .containsExactly(
            "launcher gpu --json",
            "launcher --config "
                + prefix
                + base
                + "/gpu-0/config.toml register --api-base-url https://s/",
            "launcher --config "
                + prefix
                + base
                + "/gpu-1/config.toml register --api-base-url https://s/");
    assertThat(result.output())
        .contains(
            "not started (--prefix): systemctl daemon-reload && systemctl enable --now"
                + " studio-worker@0.service studio-worker@1.service")
        .contains("studio-worker@0  GPU 0 (NVIDIA L4)  config: " + base + "/gpu-0/config.toml")
        .contains(
            "studio-worker@1  GPU 1 (NVIDIA A100 \\\"SXM\\\")  config: "
                + base
                + "/gpu-1/config.toml")
        .contains("journalctl -u studio-worker@<N> -f")
        .contains("systemctl status studio-worker@<N>");
  }

  @Test
  void perGpuAsAUserEnablesOneInstancePerGpuAndDisablesTheOneWorkerForTheMachine()
      throws Exception {
    Files.writeString(enabled, "studio-worker.service\n");
    Result result = run(asAUser(), Map.of("GPU_JSON", TWO_GPUS), "--per-gpu");

    assertThat(result.exit()).as(result.output()).isZero();
    Path root = home.resolve(".local/share/studio-worker");
    String base = home.resolve(".config/minis-studio-worker").toString();
    String unit = Files.readString(home.resolve(".config/systemd/user/studio-worker@.service"));
    assertThat(unit)
        .doesNotContain("network-online.target")
        .doesNotContain("\nUser=")
        .contains(
            "ExecStart="
                + root
                + "/current/bin/studio-worker --config "
                + base
                + "/gpu-%i/config.toml run --gpu %i\n")
        .contains("WantedBy=default.target")
        .doesNotContainPattern("@[A-Z_]+@");
    assertThat(Files.readString(calls).lines())
        .containsExactly(
            "systemctl --user show-environment",
            "launcher gpu --json",
            "systemctl --user daemon-reload",
            "systemctl --user is-enabled --quiet studio-worker.service",
            "systemctl --user disable --now studio-worker.service",
            "systemctl --user is-enabled --quiet studio-worker@0.service",
            "systemctl --user is-enabled --quiet studio-worker@1.service",
            "systemctl --user enable --now --no-block studio-worker@0.service studio-worker@1.service");
    assertThat(Files.readAllLines(enabled))
        .containsExactly("studio-worker@0.service", "studio-worker@1.service");
    String host = output("uname", "-n");
    assertThat(result.output())
        .contains("disabled studio-worker.service")
        .contains("studio-worker@0: enabled and starting")
        .contains("studio-worker@1: enabled and starting")
        .contains("config: " + base + "/gpu-1/config.toml")
        .contains("named \"" + host + " GPU <N>\"")
        .contains("journalctl --user -u studio-worker@<N> -f")
        .contains("systemctl --user enable --now studio-worker@3")
        .contains("systemctl --user disable --now studio-worker@2, then delete " + base + "/gpu-2");
  }

  @Test
  void gpusNamingAGpuThatIsNotThereFailsListingTheGpusBeforeWritingAnything() throws Exception {
    Result result = run(asAUser(), Map.of("GPU_JSON", TWO_GPUS), "--per-gpu", "--gpus", "0,2");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output())
        .contains("--gpus 0,2: this machine has no GPU 2")
        .contains("  GPU 0: NVIDIA L4\n")
        .contains("  GPU 1: NVIDIA A100 \\\"SXM\\\"\n")
        .contains("Nothing was installed.");
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left).as("nothing half-done").isEmpty();
    }
    assertThat(Files.readString(calls).lines())
        .containsExactly("systemctl --user show-environment", "launcher gpu --json");
  }

  @Test
  void perGpuOnAMachineWithoutAGpuSaysWhyAndInstallsNothing() throws Exception {
    Result result = run(asAUser(), Map.of("GPU_JSON", NO_GPU), "--per-gpu");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output())
        .contains("--per-gpu found no GPU")
        .contains("no NVIDIA driver (libnvidia-ml.so.1 not found)")
        .contains("Nothing was installed.");
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void gpusPicksTheGpusToEnable() throws Exception {
    Result result = run(asAUser(), Map.of("GPU_JSON", TWO_GPUS), "--per-gpu", "--gpus", "1");

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(Files.readString(calls).lines())
        .contains("systemctl --user enable --now --no-block studio-worker@1.service")
        .noneMatch(line -> line.contains("studio-worker@0"))
        .noneMatch(line -> line.contains("disable"));
    assertThat(Files.readAllLines(enabled)).containsExactly("studio-worker@1.service");
    assertThat(result.output())
        .contains("studio-worker@1  GPU 1")
        .doesNotContain("studio-worker@0  GPU 0");
  }

  @Test
  void runningAgainAddsTheMissingInstancesAndKeepsTheExistingOnesAndTheirConfigs()
      throws Exception {
    Result first = run(asAUser(), Map.of("GPU_JSON", TWO_GPUS), "--per-gpu", "--gpus", "1");
    assertThat(first.exit()).as(first.output()).isZero();
    Path unit = home.resolve(".config/systemd/user/studio-worker@.service");
    String unitBefore = Files.readString(unit);
    // What GPU 1's worker wrote on its first start: its identity, which a re-run must keep.
    Path gpu1 = Files.createDirectories(home.resolve(".config/minis-studio-worker/gpu-1"));
    Files.writeString(gpu1.resolve("config.toml"), "worker_id = \"w-1\"\n");
    Files.writeString(calls, "");

    Result again = run(asAUser(), Map.of("GPU_JSON", TWO_GPUS), "--per-gpu");

    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(Files.readString(calls).lines())
        .contains("systemctl --user enable --now --no-block studio-worker@0.service")
        .noneMatch(line -> line.contains("enable --now --no-block studio-worker@1"));
    assertThat(Files.readAllLines(enabled))
        .containsExactly("studio-worker@1.service", "studio-worker@0.service");
    assertThat(again.output())
        .contains("studio-worker@1: already enabled, left as it is")
        .contains("studio-worker@0: enabled and starting");
    assertThat(Files.readString(gpu1.resolve("config.toml"))).isEqualTo("worker_id = \"w-1\"\n");
    assertThat(Files.readString(unit)).isEqualTo(unitBefore);
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
    command.add("ENABLED=" + enabled);
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
    return output("id", "-u");
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    process.waitFor(TIMEOUT_SECS, TimeUnit.SECONDS);
    return out;
  }

  private static void script(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
