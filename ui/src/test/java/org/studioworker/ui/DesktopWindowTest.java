package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.studioworker.ui.DaemonUnderTest.onEdt;

import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.ui.tray.Tray;
import tools.jackson.databind.JsonNode;

/**
 * The window in-process on Xvfb over a real daemon connected to the reference studio: a studio
 * image job with its thumbnail, every page in both themes as PNG under {@code target/screenshots},
 * Pause clicked in the window reaching the studio, config edits, the tray's states, and Quit: the
 * daemon stops and the unreachable card replaces the pages. One daemon and one window for the
 * class, in this order.
 */
@ExtendWith(XvfbDisplay.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class DesktopWindowTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ModelSource SYNTHETIC =
      new ModelSource(EngineId.SYNTHETIC, List.of(), CliDefaults.of(7.0, 20, 512, 512));
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir static Path dir;

  private static DevStudio studio;
  private static WorkerCredentials worker;
  private static WorkerDaemon daemon;
  private static CompletableFuture<Integer> exit;
  private static DesktopApp app;
  private static DaemonUnderTest running;

  /** Every state the app showed in the tray, in order. */
  private static final List<Tray.State> trayStates = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startStudioDaemonAndWindow() throws Exception {
    studio = DevStudio.start();
    worker = studio.createWorker();
    running = DaemonUnderTest.start(dir, studio, worker);
    daemon = running.daemon;
    exit = running.exit;
    studio.awaitConnected(worker.workerId(), WAIT);
    app = running.openApp();
    app.useTray(
        new Tray() {
          @Override
          public void show(State state) {
            trayStates.add(state);
          }

          @Override
          public void close() {}
        });
    SwingUtilities.invokeAndWait(app.window::raise);
    app.start();
    await().atMost(WAIT).until(() -> onEdt(() -> app.window.card).equals(MainWindow.PAGES));
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (app != null) {
      app.close();
    }
    if (running != null) {
      running.close();
    }
    if (studio != null) {
      studio.close();
    }
  }

  @Test
  @Order(1)
  void aCompletedStudioImageJobShowsInTheHistoryWithItsThumbnail() throws Exception {
    String job =
        studio.submitJob("synthetic-image", 1.0, Task.Image.of("a fox in the snow"), SYNTHETIC);
    studio.awaitJobStatus(job, JobStatus.COMPLETED, WAIT);

    await().atMost(WAIT).until(() -> onEdt(() -> rowIndex(job) >= 0 && completed(job)));
    SwingUtilities.invokeAndWait(() -> app.window.jobs.history.setSelectedIndex(rowIndex(job)));

    await().atMost(WAIT).until(() -> onEdt(() -> app.window.jobs.thumbnail.getIcon() != null));
    await().atMost(WAIT).until(() -> onEdt(() -> app.window.jobs.log.getText().contains(":")));
    assertThat(onEdt(() -> app.window.jobs.prompt.getText())).isEqualTo("a fox in the snow");
    assertThat(onEdt(() -> app.window.jobs.outcome.getText())).contains("completed");
    assertThat(onEdt(() -> app.window.jobs.thumbnail.getIcon().getIconWidth())).isPositive();
  }

  @Test
  @Order(2)
  void everyPageInBothThemesIsAScreenshotOfMoreThanOneColour() throws Exception {
    Files.createDirectories(SCREENSHOTS);
    await().atMost(WAIT).until(() -> onEdt(() -> !app.window.logs.text.getText().isEmpty()));
    List<Path> written = new ArrayList<>();
    for (Theme theme : List.of(Theme.DARK, Theme.LIGHT)) {
      // The Config page's choice: applied at once and saved in ui-settings.json.
      SwingUtilities.invokeAndWait(() -> app.window.config.theme.setSelectedItem(theme));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  Files.isRegularFile(dir.resolve("ui-settings.json"))
                      && Files.readString(dir.resolve("ui-settings.json"))
                          .contains("\"" + theme.key() + "\""));
      for (Page page : app.window.pages) {
        SwingUtilities.invokeAndWait(() -> app.window.show(page.title()));
        written.add(
            screenshot(page.title().toLowerCase(java.util.Locale.ROOT) + "-" + theme.key()));
      }
    }
    SwingUtilities.invokeAndWait(() -> app.window.config.theme.setSelectedItem(Theme.DARK));
    SwingUtilities.invokeAndWait(() -> app.window.show("Jobs"));

    assertThat(written).hasSize(10);
    for (Path png : written) {
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(image).as(png.toString()).isNotNull();
      assertThat(colours(image)).as(png + " is more than one colour").isGreaterThan(1);
    }
  }

  @Test
  @Order(3)
  void ctrlDigitsSwitchPages() throws Exception {
    SwingUtilities.invokeAndWait(
        () -> {
          var root = app.window.frame.getRootPane();
          var key = javax.swing.KeyStroke.getKeyStroke("ctrl 4");
          Object name = root.getInputMap(javax.swing.JComponent.WHEN_IN_FOCUSED_WINDOW).get(key);
          root.getActionMap().get(name).actionPerformed(null);
        });
    assertThat(onEdt(() -> app.window.page)).isEqualTo("Config");
    SwingUtilities.invokeAndWait(() -> app.window.show("Jobs"));
  }

  @Test
  @Order(4)
  void pauseClickedInTheWindowPausesTheDaemonAndTheStudioGetsNoJobRun() throws Exception {
    await().atMost(WAIT).until(() -> onEdt(() -> app.window.worker.pause.isEnabled()));
    SwingUtilities.invokeAndWait(app.window.worker.pause::doClick);

    await().atMost(WAIT).until(() -> daemon.board() != null && paused());
    await()
        .atMost(WAIT)
        .until(() -> onEdt(() -> app.window.worker.pause.getText()).equals("Resume"));
    String job = studio.submitJob("synthetic-image", 1.0, Task.Image.of("a paused fox"), SYNTHETIC);

    // The studio either offers before the next heartbeat tells it autoEnabled:false, and the
    // worker rejects the offer "paused"; or it has heard already and offers nothing.
    await()
        .atMost(WAIT)
        .until(
            () ->
                studio.frames(worker.workerId()).stream()
                    .anyMatch(
                        f ->
                            f.type().equals("reject") && f.text().contains("\"paused\"")
                                || f.type().equals("heartbeat")
                                    && f.text().contains("\"autoEnabled\":false")));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> studio.job(job).orElseThrow().status() != JobStatus.COMPLETED);
    assertThat(onEdt(() -> app.window.activity.getText())).isEqualTo("Paused");
    await().atMost(WAIT).until(() -> trayStates.getLast().paused());
    assertThat(trayStates.getLast().light()).isEqualTo(Tray.Light.GREEN);
    List<WireFrame> rejects =
        studio.frames(worker.workerId()).stream().filter(f -> f.type().equals("reject")).toList();
    assertThat(rejects).allMatch(f -> f.text().contains("\"paused\""));

    SwingUtilities.invokeAndWait(app.window.worker.pause::doClick);
    await().atMost(WAIT).until(() -> !paused());
    await()
        .atMost(WAIT)
        .until(() -> onEdt(() -> app.window.worker.pause.getText()).equals("Pause"));

    // The tray's Pause–Resume item, on a thread of the tray's own: it flips what the last poll saw.
    await().atMost(WAIT).until(() -> !trayStates.getLast().paused());
    app.actions().togglePause();
    await().atMost(WAIT).until(DesktopWindowTest::paused);
    await()
        .atMost(WAIT)
        .until(() -> onEdt(() -> app.window.worker.pause.getText()).equals("Resume"));
    app.actions().togglePause();
    await().atMost(WAIT).until(() -> !paused());
  }

  @Test
  @Order(5)
  void anEditedConfigIsNotOverwrittenByPollsAndARefusedSaveShowsTheDaemonsMessage()
      throws Exception {
    await()
        .atMost(WAIT)
        .until(() -> onEdt(() -> app.window.config.fields.containsKey("vramThresholdGb")));
    SwingUtilities.invokeAndWait(
        () -> ((JTextField) app.window.config.fields.get("vramThresholdGb")).setText("-1"));
    assertThat(onEdt(() -> app.window.config.editing)).isTrue();

    // Three polls later the edit is still there.
    long seen = polls();
    await().atMost(WAIT).until(() -> polls() >= seen + 3);
    assertThat(onEdt(() -> vramField().getText())).isEqualTo("-1");

    SwingUtilities.invokeAndWait(app.window.config.save::doClick);
    await()
        .atMost(WAIT)
        .until(
            () ->
                onEdt(() -> app.window.config.message.getText())
                    .equals("invalid config: vramThresholdGb: must be a number of GB, 0 or more"));
    assertThat(onEdt(() -> vramField().getText())).isEqualTo("-1");

    SwingUtilities.invokeAndWait(app.window.config.reset::doClick);
    await().atMost(WAIT).until(() -> onEdt(() -> vramField().getText()).equals("12.0"));
    assertThat(onEdt(() -> app.window.config.editing)).isFalse();

    SwingUtilities.invokeAndWait(() -> vramField().setText("6.5"));
    SwingUtilities.invokeAndWait(app.window.config.save::doClick);
    await()
        .atMost(WAIT)
        .until(() -> onEdt(() -> app.window.config.message.getText()).equals("saved"));
    assertThat(new ConfigStore(dir.resolve("config.toml")).load().vramThresholdGb()).isEqualTo(6.5);
  }

  private static JTextField vramField() {
    return (JTextField) app.window.config.fields.get("vramThresholdGb");
  }

  private static long polls() throws InterruptedException {
    return onEdt(() -> app.window.model.polls());
  }

  @Test
  @Order(6)
  void closingTheWindowWithATrayOnlyHidesIt() throws Exception {
    SwingUtilities.invokeAndWait(
        () ->
            app.window.frame.dispatchEvent(
                new WindowEvent(app.window.frame, WindowEvent.WINDOW_CLOSING)));

    assertThat(onEdt(() -> app.window.frame.isVisible())).isFalse();
    SwingUtilities.invokeAndWait(app.window::raise);
    assertThat(onEdt(() -> app.window.frame.isVisible())).isTrue();
    assertThat(trayStates).extracting(Tray.State::light).contains(Tray.Light.GREEN);
  }

  @Test
  @Order(7)
  void quitFromTheTrayStopsTheDaemonAndTheUnreachableCardReplacesThePages() throws Exception {
    CompletableFuture<Void> quitting =
        CompletableFuture.runAsync(() -> app.actions().quit(), r -> Thread.ofVirtual().start(r));
    // POST /daemon/shutdown: the daemon stops as on SIGTERM, and the UI's wait for quit ends.
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    quitting.get(20, TimeUnit.SECONDS);
    CompletableFuture.runAsync(
            () -> {
              try {
                app.awaitQuit();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })
        .get(5, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> onEdt(() -> app.window.card).equals(MainWindow.UNREACHABLE));
    assertThat(onEdt(() -> app.window.unreachableText.getText()))
        .contains("no daemon is running for this config")
        .contains("daemon.log");
    assertThat(onEdt(() -> app.window.jobs.rows.size())).isZero();
    assertThat(onEdt(() -> app.window.logs.text.getText())).isEmpty();
    assertThat(onEdt(() -> app.window.config.fields)).isEmpty();
    assertThat(onEdt(() -> app.window.worker.activity.getText())).isEqualTo("—");
    assertThat(onEdt(() -> app.window.worker.pause.isEnabled())).isFalse();
    assertThat(onEdt(() -> app.window.daemonLink.getText())).contains("not reachable");
    await().atMost(WAIT).until(() -> trayStates.getLast().light() == Tray.Light.RED);
    BufferedImage card = ImageIO.read(screenshot("unreachable-dark").toFile());
    assertThat(colours(card)).isGreaterThan(1);
  }

  private static boolean paused() throws InterruptedException {
    return app.client.status() instanceof Reply.Answer<JsonNode>(URI _, JsonNode status)
        && status.path("paused").asBoolean(false);
  }

  private static int rowIndex(String jobId) {
    var rows = app.window.jobs.rows;
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i) instanceof JobsPage.Row.Job job && job.id().equals(jobId)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean completed(String jobId) {
    int i = rowIndex(jobId);
    return i >= 0
        && app.window.jobs.rows.get(i) instanceof JobsPage.Row.Job(JsonNode job)
        && job.path("status").asString("").equals("completed")
        && job.path("hasThumbnail").asBoolean(false);
  }

  /** Paints the window's root pane into a PNG under target/screenshots. */
  private static Path screenshot(String name) throws Exception {
    AtomicReference<BufferedImage> image = new AtomicReference<>();
    SwingUtilities.invokeAndWait(
        () -> {
          var root = app.window.frame.getRootPane();
          root.validate();
          BufferedImage shot =
              new BufferedImage(root.getWidth(), root.getHeight(), BufferedImage.TYPE_INT_RGB);
          var g = shot.createGraphics();
          try {
            root.paint(g);
          } finally {
            g.dispose();
          }
          image.set(shot);
        });
    Path file = SCREENSHOTS.resolve(name + ".png");
    ImageIO.write(image.get(), "png", file.toFile());
    return file;
  }

  /** How many distinct colours the image has, counted up to 2. */
  private static int colours(BufferedImage image) {
    int first = image.getRGB(0, 0);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (image.getRGB(x, y) != first) {
          return 2;
        }
      }
    }
    return 1;
  }
}
