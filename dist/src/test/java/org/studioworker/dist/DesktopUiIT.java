package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desktop UI as a person starts it: {@code bin/studio-worker ui} of an installed archive, on
 * the module path of the package, under an X server and a session bus of the test's own, with a
 * StatusNotifierWatcher standing in for the panel. The ui module's own tests run on the class path;
 * this one shows the service lookup, dbus-java's reflection on our exported objects and the process
 * rules working where the product runs.
 */
final class DesktopUiIT {
  /** The UI starts the daemon after 20 s without one; the rest is start-up on a loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (Process process : started.reversed()) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void theInstalledUiShowsItsTrayRaisesOnASecondLaunchStartsTheDaemonAndQuitsWithIt()
      throws Exception {
    for (String tool : List.of("Xvfb", "dbus-daemon", "dbus-send")) {
      assumeTrue(onPath(tool), tool + " is not installed (CI installs xvfb and dbus): skipped");
    }
    Path archive = PackagedInstall.archive();
    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
    Path launcher = root.resolve("current/bin/studio-worker");

    Process xvfb = start(List.of("Xvfb", "-displayfd", "1", "-nolisten", "tcp"), Map.of());
    String display = ":" + firstLine(xvfb.getInputStream());
    Process bus =
        start(
            List.of(
                "dbus-daemon",
                "--session",
                "--nofork",
                "--print-address=1",
                "--address=unix:path=" + dir.resolve("bus")),
            Map.of());
    String busAddress = firstLine(bus.getInputStream());
    Map<String, String> desktop =
        Map.of(
            "DISPLAY",
            display,
            "DBUS_SESSION_BUS_ADDRESS",
            busAddress,
            "HOME",
            dir.resolve("home").toString(),
            "XDG_CONFIG_HOME",
            dir.resolve("xdg").toString(),
            "STUDIO_WORKER_LOCAL_API_PORT",
            "0");

    Path watcherSource = dir.resolve("StatusWatcher.java");
    try (InputStream in = DesktopUiIT.class.getResourceAsStream("/desktop/StatusWatcher.java")) {
      Files.write(watcherSource, in.readAllBytes());
    }
    Path watcherOut = dir.resolve("watcher.out");
    start(
        List.of(
            ProcessHandle.current().info().command().orElseThrow(),
            "--module-path",
            root.resolve("current/lib").toString(),
            "--add-modules",
            "org.freedesktop.dbus,org.freedesktop.dbus.transport.jre",
            watcherSource.toString()),
        desktop,
        watcherOut);
    await().atMost(WAIT).until(() -> lines(watcherOut).contains("watcher up"));

    Path config = dir.resolve("config").resolve("config.toml");
    Files.createDirectories(config.getParent());
    Files.writeString(
        config,
        "api_base_url = \"http://127.0.0.1:9/\"\nmodels_root = \""
            + dir.resolve("models")
            + "\"\nauto_update_enabled = false\n",
        StandardCharsets.UTF_8);
    List<String> ui = List.of(launcher.toString(), "--config", config.toString(), "ui");
    Path uiOut = dir.resolve("ui.out");
    Process first = start(ui, desktop, uiOut);

    // The tray: registered with the watcher, its properties read by another D-Bus client.
    String item = "org.kde.StatusNotifierItem-" + first.pid();
    await()
        .atMost(WAIT)
        .until(() -> lines(watcherOut).stream().anyMatch(l -> l.startsWith("registered " + item)));
    String service =
        lines(watcherOut).stream()
            .filter(l -> l.startsWith("registered " + item))
            .findFirst()
            .orElseThrow()
            .substring("registered ".length());
    assertThat(
            dbusSend(
                desktop,
                service,
                "/StatusNotifierItem",
                "org.freedesktop.DBus.Properties.Get",
                "string:org.kde.StatusNotifierItem",
                "string:Id"))
        .contains("\"studio-worker\"");
    String layout =
        dbusSend(
            desktop,
            service,
            "/MenuBar",
            "com.canonical.dbusmenu.GetLayout",
            "int32:0",
            "int32:-1",
            "array:string:");
    assertThat(layout).contains("\"Open window\"", "\"Pause\"", "\"Quit\"");

    // One UI per config: a second launch hands over and exits 0, saying nothing.
    Process second = start(ui, desktop, dir.resolve("second.out"));
    assertThat(second.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    assertThat(Files.readString(dir.resolve("second.out"))).isEmpty();
    assertThat(first.isAlive()).isTrue();

    // No daemon for 20 s: the UI starts one, whose output goes to daemon.log beside the config.
    Path daemonLog = config.resolveSibling("daemon.log");
    await()
        .atMost(WAIT)
        .until(
            () ->
                Files.exists(daemonLog)
                    && Files.readString(daemonLog).contains("local API on http://127.0.0.1:"));

    // Quit in the tray's menu: the daemon is asked to stop, and the UI ends.
    dbusSend(
        desktop,
        service,
        "/MenuBar",
        "com.canonical.dbusmenu.Event",
        "int32:" + idOf("Quit", layout),
        "string:clicked",
        "variant:int32:0",
        "uint32:0");
    assertThat(first.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isZero();
    await()
        .atMost(WAIT)
        .until(() -> Files.readString(daemonLog).contains("received POST /daemon/shutdown"));
    await().atMost(WAIT).until(() -> !Files.exists(config.resolveSibling("daemon.pid")));
    assertThat(Files.readString(uiOut))
        .as("the UI's own output")
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("DEBUG");
  }

  /** The id of the menu item labelled {@code label}: the last {@code int32} printed before it. */
  private static int idOf(String label, String layout) {
    int at = layout.indexOf("\"" + label + "\"");
    assertThat(at).as("%s in %s", label, layout).isPositive();
    Matcher ids = Pattern.compile("int32 (\\d+)").matcher(layout.substring(0, at));
    @Nullable String last = null;
    while (ids.find()) {
      last = ids.group(1);
    }
    assertThat(last).isNotNull();
    return Integer.parseInt(last);
  }

  private static String dbusSend(
      Map<String, String> env, String destination, String path, String method, String... args)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of("dbus-send", "--session", "--print-reply", "--dest=" + destination, path));
    command.add(method);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  private Process start(List<String> command, Map<String, String> env) throws IOException {
    // The tools' complaints, if any, all go to one file: appended, so that none hides another's.
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("tools.err").toFile()));
    builder.environment().putAll(env);
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private Process start(List<String> command, Map<String, String> env, Path output)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().putAll(env);
    builder.environment().remove("STUDIO_WORKER_HOME");
    builder.environment().remove("STUDIO_WORKER_JAVA_OPTS");
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private static String firstLine(InputStream in) throws IOException {
    String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
    assertThat(line).as("the tool printed its address").isNotNull();
    return line.strip();
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static boolean onPath(String tool) {
    for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, tool))) {
        return true;
      }
    }
    return false;
  }
}
