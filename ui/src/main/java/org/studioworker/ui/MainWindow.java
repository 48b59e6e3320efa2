package org.studioworker.ui;

import com.formdev.flatlaf.util.UIScale;
import java.awt.BorderLayout;
import java.awt.CardLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.swing.AbstractAction;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.ButtonGroup;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JSeparator;
import javax.swing.JTextArea;
import javax.swing.JToggleButton;
import javax.swing.KeyStroke;
import javax.swing.UIManager;
import javax.swing.WindowConstants;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.localapi.DaemonClient;
import tools.jackson.databind.JsonNode;

/**
 * The window: a header (activity, daemon link, studio state, GPU memory), a sidebar of five pages
 * (Ctrl+1…Ctrl+5), and the "daemon not reachable" card in place of the pages while the daemon does
 * not answer. EDT only.
 */
final class MainWindow {
  static final String UNREACHABLE = "unreachable";
  static final String PAGES = "pages";

  final JFrame frame = new JFrame("studio-worker");
  final UiModel model = new UiModel();
  final JobsPage jobs;
  final WorkerPage worker;
  final LogsPage logs;
  final ConfigPage config;
  final AboutPage about;
  final List<Page> pages;
  final List<JToggleButton> tabs;
  final JLabel activity = new JLabel();
  final JLabel daemonLink = new JLabel();
  final JLabel studio = new JLabel();
  final JLabel gpu = new JLabel();
  final JTextArea unreachableText = Widgets.text(true);
  private final CardLayout outer = new CardLayout();
  final JPanel body = new JPanel(outer);
  private final CardLayout inner = new CardLayout();
  private final JPanel pageCards = new JPanel(inner);
  private final Path daemonLog;

  /** Which card shows: {@link #PAGES} or {@link #UNREACHABLE}. */
  String card = UNREACHABLE;

  /** The page shown, by title. */
  String page = "Jobs";

  MainWindow(
      DaemonClient client,
      Path configPath,
      Map<String, String> env,
      Path daemonLog,
      UiSettings settings,
      java.util.function.Consumer<Theme> onTheme) {
    this.daemonLog = daemonLog;
    jobs = new JobsPage(client);
    worker = new WorkerPage(client, configPath, env);
    logs = new LogsPage();
    config = new ConfigPage(client, configPath, env, settings, onTheme);
    about = new AboutPage(configPath, daemonLog, settings.file());
    pages = List.of(jobs, worker, logs, config, about);

    JPanel header =
        new JPanel(new FlowLayout(FlowLayout.LEFT, UIScale.scale(16), UIScale.scale(6)));
    for (JLabel label : List.of(activity, daemonLink, studio, gpu)) {
      header.add(label);
    }
    activity.putClientProperty("FlatLaf.styleClass", "h4");

    JPanel sidebar = new JPanel();
    sidebar.setLayout(new BoxLayout(sidebar, BoxLayout.Y_AXIS));
    sidebar.setBorder(Widgets.pad(8, 8, 8, 8));
    ButtonGroup group = new ButtonGroup();
    List<JToggleButton> buttons = new java.util.ArrayList<>();
    for (int i = 0; i < pages.size(); i++) {
      Page p = pages.get(i);
      JToggleButton tab = new JToggleButton(p.title());
      tab.setToolTipText("Ctrl+" + (i + 1));
      tab.setAlignmentX(0f);
      tab.setMaximumSize(new Dimension(Integer.MAX_VALUE, tab.getPreferredSize().height));
      tab.addActionListener(e -> show(p.title()));
      group.add(tab);
      sidebar.add(tab);
      sidebar.add(Box.createVerticalStrut(UIScale.scale(4)));
      pageCards.add(p.component(), p.title());
      buttons.add(tab);
      int index = i;
      String key = "page-" + (i + 1);
      frame
          .getRootPane()
          .getInputMap(JComponent.WHEN_IN_FOCUSED_WINDOW)
          .put(KeyStroke.getKeyStroke(KeyEvent.VK_1 + i, InputEvent.CTRL_DOWN_MASK), key);
      frame
          .getRootPane()
          .getActionMap()
          .put(
              key,
              new AbstractAction() {
                private static final long serialVersionUID = 1L;

                @Override
                public void actionPerformed(java.awt.event.ActionEvent e) {
                  show(pages.get(index).title());
                }
              });
    }
    tabs = List.copyOf(buttons);

    JPanel unreachable = new JPanel(new BorderLayout(0, 8));
    unreachable.setBorder(Widgets.pad(24, 24, 24, 24));
    unreachable.add(Widgets.heading("The daemon is not reachable"), BorderLayout.NORTH);
    unreachableText.setOpaque(false);
    unreachable.add(unreachableText, BorderLayout.CENTER);
    body.add(pageCards, PAGES);
    body.add(unreachable, UNREACHABLE);

    JPanel content = new JPanel(new BorderLayout());
    JPanel top = new JPanel(new BorderLayout());
    top.add(header, BorderLayout.CENTER);
    top.add(new JSeparator(), BorderLayout.SOUTH);
    content.add(top, BorderLayout.NORTH);
    JPanel left = new JPanel(new BorderLayout());
    left.add(sidebar, BorderLayout.NORTH);
    content.add(left, BorderLayout.WEST);
    content.add(body, BorderLayout.CENTER);
    frame.setContentPane(content);
    frame.setDefaultCloseOperation(WindowConstants.DO_NOTHING_ON_CLOSE);
    // Scaled by FlatLaf at 2x and more; ~1000x680 at 1x fits a 1366x768 screen.
    frame.setSize(UIScale.scale(1000), UIScale.scale(680));
    frame.setMinimumSize(new Dimension(UIScale.scale(640), UIScale.scale(420)));
    frame.setLocationByPlatform(true);

    model.onChange(this::refresh);
    show("Jobs");
    refresh();
  }

  /** Shows the page titled {@code title}. */
  void show(String title) {
    page = title;
    inner.show(pageCards, title);
    for (JToggleButton tab : tabs) {
      tab.setSelected(tab.getText().equals(title));
    }
  }

  /** Brings the window up: shown, not iconified, in front. */
  void raise() {
    frame.setVisible(true);
    frame.setExtendedState(frame.getExtendedState() & ~JFrame.ICONIFIED);
    frame.toFront();
    frame.requestFocus();
  }

  /** Shows the model: the pages when the daemon answered, else the card, every page cleared. */
  private void refresh() {
    @Nullable JsonNode status = model.status();
    if (status == null) {
      activity.setText("—");
      daemonLink.setText("● daemon not reachable");
      daemonLink.setForeground(color("Actions.Red", Color.RED));
      studio.setText("studio: unknown");
      gpu.setText("");
      String problem = model.problem();
      unreachableText.setText(
          (problem == null ? "Asking the daemon…" : problem)
              + "\n\nThe UI starts the daemon when none has run for 20 seconds; its output goes to "
              + daemonLog.toAbsolutePath()
              + "\nThe pages come back as soon as the daemon answers.");
      pages.forEach(Page::clear);
      card = UNREACHABLE;
      outer.show(body, UNREACHABLE);
      return;
    }
    activity.setText(StatusText.activity(status));
    daemonLink.setText("● daemon reachable");
    daemonLink.setForeground(color("Actions.Green", new Color(0x3c9a3c)));
    studio.setText("studio: " + StatusText.studio(status));
    gpu.setText("GPU: " + StatusText.gpuMemory(status));
    for (Page p : pages) {
      p.update(model);
    }
    card = PAGES;
    outer.show(body, PAGES);
  }

  private static Color color(String key, Color fallback) {
    Color c = UIManager.getColor(key);
    // A plain Color, not the look's ColorUIResource, which a theme change would reset.
    return c == null ? fallback : new Color(c.getRGB());
  }
}
