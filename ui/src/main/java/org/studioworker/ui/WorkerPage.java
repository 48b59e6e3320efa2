package org.studioworker.ui;

import java.awt.BorderLayout;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.localapi.DaemonClient.Problem;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import tools.jackson.databind.JsonNode;

/** The worker: pause, registration, the studio session, GPUs, versions and updates. */
final class WorkerPage implements Page {
  /** Why 60 s? A check downloads and verifies one small signed feed; a minute is generous. */
  static final long CHECK_UPDATE_SECONDS = 60;

  /** Why 64 KiB? check-update prints a few lines; more is cut. */
  private static final int MAX_OUTPUT = 64 * 1024;

  private final DaemonClient client;
  private final Path configPath;
  private final @Nullable String launcher;
  private final JPanel root = new JPanel(new BorderLayout());
  final JLabel activity = new JLabel();
  final JButton pause = new JButton("Pause");
  final JLabel registration = new JLabel();
  final JButton copyRequest;
  final JButton resetRegistration = new JButton("Reset registration");
  final JLabel studio = new JLabel();
  final JLabel heartbeat = new JLabel();
  final JLabel gpus = new JLabel();
  final JLabel apiUrl = new JLabel();
  final JLabel versions = new JLabel();
  final JLabel actionMessage = new JLabel(" ");
  final JButton checkUpdate = new JButton("Check for updates");
  final JTextArea updateOutput = Widgets.text(true);
  private String requestId = "";
  private boolean paused;

  WorkerPage(DaemonClient client, Path configPath, Map<String, String> env) {
    this.client = client;
    this.configPath = configPath;
    this.launcher = env.get("STUDIO_WORKER_LAUNCHER");
    this.copyRequest = Widgets.copy("Copy request id", () -> requestId);
    Form form = new Form();
    form.add("Activity", Widgets.row(activity, pause, actionMessage));
    form.add("Registration", Widgets.row(registration, copyRequest, resetRegistration));
    form.add("Studio", studio);
    form.add("Last heartbeat", heartbeat);
    form.add("GPUs", gpus);
    form.add("Local API", apiUrl);
    form.add("Version", versions);
    form.span(Widgets.row(checkUpdate));
    updateOutput.setRows(6);
    if (launcher == null) {
      checkUpdate.setEnabled(false);
      checkUpdate.setToolTipText(
          "STUDIO_WORKER_LAUNCHER is not set: start the UI with the launcher");
    }
    JPanel page = new JPanel(new BorderLayout(0, 6));
    page.add(form.done(), BorderLayout.NORTH);
    page.add(new JScrollPane(updateOutput), BorderLayout.CENTER);
    page.setBorder(Widgets.pad(12, 12, 12, 12));
    root.add(page, BorderLayout.CENTER);
    pause.addActionListener(e -> togglePause());
    resetRegistration.addActionListener(e -> resetRegistration());
    checkUpdate.addActionListener(e -> checkUpdate());
    clear();
  }

  @Override
  public String title() {
    return "Worker";
  }

  @Override
  public JComponent component() {
    return root;
  }

  @Override
  public void update(UiModel model) {
    JsonNode status = Objects.requireNonNull(model.status());
    paused = status.path("paused").asBoolean(false);
    activity.setText(StatusText.activity(status));
    pause.setText(paused ? "Resume" : "Pause");
    pause.setEnabled(true);
    JsonNode reg = status.path("registration");
    String state = reg.path("state").asString("");
    requestId = reg.path("requestId").asString("");
    registration.setText(
        switch (state) {
          case "pending" ->
              "pending: request "
                  + requestId
                  + " since "
                  + DaemonClient.time(reg.get("since"))
                  + " — ask the studio's operator to approve it";
          case "rejected" -> "rejected: " + reg.path("reason").asString("no reason given");
          case "approved" -> "approved (worker " + status.path("workerId").asString("?") + ")";
          case "pristine" -> "not registered yet";
          default -> state;
        });
    copyRequest.setVisible(state.equals("pending"));
    resetRegistration.setVisible(state.equals("rejected"));
    studio.setText(StatusText.studio(status));
    JsonNode beat = status.path("heartbeat");
    heartbeat.setText(
        beat.isObject()
            ? beat.path("outcome").asString("")
                + " at "
                + DaemonClient.time(beat.get("lastAttemptAt"))
                + (beat.path("reason").isString() ? " — " + beat.path("reason").asString() : "")
            : "none yet");
    gpus.setText(gpuText(status));
    apiUrl.setText(status.path("localApiUrl").asString("—"));
    versions.setText("daemon " + status.path("version").asString("?") + " · UI " + versionOfUi());
  }

  @Override
  public void clear() {
    activity.setText("—");
    pause.setEnabled(false);
    registration.setText("—");
    copyRequest.setVisible(false);
    resetRegistration.setVisible(false);
    studio.setText("—");
    heartbeat.setText("—");
    gpus.setText("—");
    apiUrl.setText("—");
    versions.setText("UI " + versionOfUi());
  }

  /** Each GPU with live memory when the daemon lists them, else the total and the runtime. */
  static String gpuText(JsonNode status) {
    JsonNode list = status.path("gpus");
    StringBuilder html = new StringBuilder("<html>");
    if (list.isArray() && !list.isEmpty()) {
      for (JsonNode gpu : list) {
        long total = gpu.path("memoryTotalBytes").asLong(0);
        long free = gpu.path("memoryFreeBytes").asLong(0);
        html.append("#")
            .append(gpu.path("index").asLong(0))
            .append(' ')
            .append(gpu.path("name").asString("GPU"))
            .append(": ")
            .append(StatusText.gib(total - free))
            .append(" of ")
            .append(StatusText.gib(total))
            .append(" GB used<br>");
      }
    } else {
      html.append(StatusText.gpuMemory(status));
      JsonNode runtime = status.path("gpuRuntime");
      if (runtime.isObject()) {
        html.append(" · runtime ")
            .append(runtime.path("ok").asBoolean(false) ? "ok" : "not usable")
            .append(": ")
            .append(runtime.path("detail").asString("").replace("<", "&lt;"));
      }
    }
    return html.append("</html>").toString();
  }

  private static String versionOfUi() {
    String version = WorkerPage.class.getPackage().getImplementationVersion();
    return version == null ? org.studioworker.runtime.Version.current() : version;
  }

  private void togglePause() {
    boolean want = !paused;
    pause.setEnabled(false);
    Background.run(
        "pause",
        () -> client.pause(want),
        reply -> {
          pause.setEnabled(true);
          switch (reply) {
            case Reply.Answer<Boolean>(URI _, Boolean now) -> {
              paused = now;
              pause.setText(now ? "Resume" : "Pause");
              actionMessage.setText(now ? "paused" : "resumed");
            }
            case Reply.Failure<Boolean>(Problem problem) ->
                actionMessage.setText(problem.message());
          }
        });
  }

  private void resetRegistration() {
    resetRegistration.setEnabled(false);
    Background.run(
        "reset-registration",
        () -> client.json("POST", "/daemon/registration/reset", null),
        reply -> {
          resetRegistration.setEnabled(true);
          actionMessage.setText(
              switch (reply) {
                case Reply.Answer<JsonNode> _ -> "registration reset; asking the studio again";
                case Reply.Failure<JsonNode>(Problem problem) -> problem.message();
              });
        });
  }

  /** Runs {@code <launcher> --config <p> check-update} off the EDT, at most 60 s. */
  private void checkUpdate() {
    String command = Objects.requireNonNull(launcher);
    checkUpdate.setEnabled(false);
    updateOutput.setText("checking…");
    Background.run(
        "check-update",
        () -> runCheckUpdate(command, configPath),
        output -> {
          checkUpdate.setEnabled(true);
          updateOutput.setText(output);
        });
  }

  static String runCheckUpdate(String launcher, Path configPath) throws InterruptedException {
    Process process;
    try {
      process =
          new ProcessBuilder(launcher, "--config", configPath.toString(), "check-update")
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      return "cannot run " + launcher + ": " + e.getMessage();
    }
    // Read on a thread of its own, so that a silent, stuck process is still bounded by the wait.
    StringBuilder out = new StringBuilder();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = process.getInputStream()) {
                    byte[] bytes = in.readNBytes(MAX_OUTPUT);
                    synchronized (out) {
                      out.append(new String(bytes, StandardCharsets.UTF_8));
                    }
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                  } catch (IOException ignored) {
                    // The process ended or was killed; what was read stays.
                  }
                });
    boolean ended = process.waitFor(CHECK_UPDATE_SECONDS, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    reader.join(2000);
    synchronized (out) {
      String text = out.toString().strip();
      if (!ended) {
        return text + "\n(check-update gave no result within " + CHECK_UPDATE_SECONDS + " s)";
      }
      return (text.isEmpty() ? "(no output)" : text) + "\n(exit " + process.exitValue() + ")";
    }
  }
}
