package org.studioworker.ui;

import java.awt.BorderLayout;
import java.awt.Desktop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import org.studioworker.runtime.Version;
import tools.jackson.databind.JsonNode;

/** The version, the files the UI uses, and the licences of what it is built with. */
final class AboutPage implements Page {
  private final JPanel root = new JPanel(new BorderLayout());
  final JLabel daemonVersion = new JLabel();

  AboutPage(Path configPath, Path daemonLog, Path uiSettings) {
    Path config = configPath.toAbsolutePath();
    Path dir = Objects.requireNonNullElse(config.getParent(), Path.of("."));
    Form form = new Form();
    form.span(Widgets.heading("studio-worker desktop"));
    form.add("UI version", new JLabel(Version.describe()));
    form.add("Daemon version", daemonVersion);
    form.add("Config", new JLabel(config.toString()));
    form.add("Config folder", link(dir));
    form.add("Daemon log", link(daemonLog.toAbsolutePath()));
    form.add("UI settings", new JLabel(uiSettings.toString()));
    form.span(Widgets.heading("Built with"));
    form.add("FlatLaf", new JLabel("Apache License 2.0 — https://www.formdev.com/flatlaf/"));
    form.add("dbus-java", new JLabel("MIT License — https://github.com/hypfvieh/dbus-java"));
    JPanel page = form.done();
    page.setBorder(Widgets.pad(12, 12, 12, 12));
    root.add(page, BorderLayout.CENTER);
    clear();
  }

  /** The path, with a button that opens it where the desktop can. */
  private static JComponent link(Path path) {
    JButton open = new JButton("Open");
    boolean can =
        Desktop.isDesktopSupported() && Desktop.getDesktop().isSupported(Desktop.Action.OPEN);
    open.setEnabled(can);
    open.addActionListener(
        e ->
            Background.run(
                "open",
                () -> {
                  try {
                    Desktop.getDesktop().open(path.toFile());
                  } catch (IOException | IllegalArgumentException notThere) {
                    // Nothing to open yet (no daemon.log before the UI first starts a daemon).
                  }
                  return path;
                },
                p -> {}));
    return Widgets.row(new JLabel(path.toString()), open);
  }

  @Override
  public String title() {
    return "About";
  }

  @Override
  public JComponent component() {
    return root;
  }

  @Override
  public void update(UiModel model) {
    JsonNode status = Objects.requireNonNull(model.status());
    daemonVersion.setText(status.path("version").asString("?"));
  }

  @Override
  public void clear() {
    daemonVersion.setText("—");
  }
}
