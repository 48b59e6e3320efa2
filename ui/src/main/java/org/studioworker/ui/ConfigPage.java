package org.studioworker.ui;

import java.awt.BorderLayout;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import javax.swing.JButton;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextField;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.localapi.DaemonClient.Problem;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import org.studioworker.ui.process.Autostart;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The daemon's editable config as a form: a field per key of {@code GET /daemon/config} (a checkbox
 * for a boolean), saved with {@code PUT /daemon/config}; the UI's own settings below. While the
 * user edits, polls do not touch the fields.
 */
final class ConfigPage implements Page {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigPage.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What each key of the daemon's config is called on screen; unknown keys show as they are. */
  private static final Map<String, String> LABELS =
      Map.of(
          "apiBaseUrl", "Studio URL",
          "vramThresholdGb", "VRAM threshold (GB)",
          "startMinimised", "Start minimised",
          "autoUpdateEnabled", "Update automatically",
          "autoUpdateIntervalSecs", "Update check interval (s)",
          "autoUpdateFeed", "Update feed",
          "autoUpdatePrerelease", "Take pre-releases",
          "modelsRoot", "Models folder",
          "onlyWhenIdle", "Only when the machine is idle");

  private final DaemonClient client;
  private final Map<String, String> env;
  private final Path configPath;
  private final JPanel root = new JPanel(new BorderLayout());
  private final JPanel fieldsHolder = new JPanel(new BorderLayout());
  final JButton save = new JButton("Save");
  final JButton reset = new JButton("Reset");
  final JLabel message = new JLabel(" ");
  final JCheckBox autostart = new JCheckBox("Start with the machine");
  final JComboBox<Theme> theme = new JComboBox<>(Theme.values());

  /** The fields by config key, in the daemon's order; empty until the daemon's config is read. */
  final Map<String, JComponent> fields = new LinkedHashMap<>();

  /** The config the fields were filled from, or null. */
  private @Nullable JsonNode loaded;

  /** The user changed a field since it was filled: polls leave the form alone. */
  boolean editing;

  /** Set while the fields are being filled, so that filling is not an edit. */
  private boolean filling;

  ConfigPage(
      DaemonClient client,
      Path configPath,
      Map<String, String> env,
      UiSettings settings,
      Consumer<Theme> onTheme) {
    this.client = client;
    this.env = env;
    this.configPath = configPath;
    JPanel buttons = Widgets.row(save, reset, message);
    buttons.setBorder(Widgets.pad(6, 0, 0, 0));
    Form ui = new Form();
    ui.span(Widgets.heading("This desktop"));
    ui.add("Theme", Widgets.row(theme));
    ui.add("", autostart);
    theme.setSelectedItem(settings.theme());
    theme.addActionListener(
        e -> onTheme.accept((Theme) Objects.requireNonNull(theme.getSelectedItem())));
    String launcher = env.get("STUDIO_WORKER_LAUNCHER");
    autostart.setSelected(Autostart.enabled(env));
    if (launcher == null) {
      autostart.setEnabled(false);
      autostart.setToolTipText(
          "STUDIO_WORKER_LAUNCHER is not set: start the UI with the launcher to change this");
    } else {
      autostart.addActionListener(e -> setAutostart(Path.of(launcher)));
    }
    JPanel page = new JPanel(new BorderLayout(0, 8));
    JPanel top = new JPanel(new BorderLayout());
    top.add(Widgets.heading("The worker's config"), BorderLayout.NORTH);
    top.add(fieldsHolder, BorderLayout.CENTER);
    top.add(buttons, BorderLayout.SOUTH);
    page.add(top, BorderLayout.NORTH);
    page.add(ui.done(), BorderLayout.CENTER);
    page.setBorder(Widgets.pad(12, 12, 12, 12));
    root.add(new JScrollPane(page), BorderLayout.CENTER);
    save.addActionListener(e -> save());
    reset.addActionListener(e -> reload());
    clear();
  }

  @Override
  public String title() {
    return "Config";
  }

  @Override
  public JComponent component() {
    return root;
  }

  @Override
  public void update(UiModel model) {
    JsonNode config = Objects.requireNonNull(model.status()).path("config");
    if (!editing && config.isObject() && !config.equals(loaded)) {
      fill(config);
    }
    save.setEnabled(loaded != null);
    reset.setEnabled(true);
  }

  @Override
  public void clear() {
    loaded = null;
    editing = false;
    fields.clear();
    fieldsHolder.removeAll();
    fieldsHolder.add(new JLabel("The daemon's config shows here once the daemon answers."));
    fieldsHolder.revalidate();
    save.setEnabled(false);
    reset.setEnabled(false);
  }

  /** Fills the form from {@code config}, discarding edits. */
  void fill(JsonNode config) {
    filling = true;
    try {
      loaded = config;
      editing = false;
      fields.clear();
      Form form = new Form();
      for (Map.Entry<String, JsonNode> entry : config.properties()) {
        String key = entry.getKey();
        JsonNode value = entry.getValue();
        JComponent field;
        if (value.isBoolean()) {
          JCheckBox box = new JCheckBox("", value.asBoolean());
          box.addActionListener(e -> edited());
          field = box;
        } else {
          JTextField text = new JTextField(value.isNull() ? "" : value.asString(), 32);
          text.getDocument().addDocumentListener(new Edits());
          field = text;
        }
        field.setName(key);
        fields.put(key, field);
        form.add(LABELS.getOrDefault(key, key), field);
      }
      fieldsHolder.removeAll();
      fieldsHolder.add(form.panel, BorderLayout.CENTER);
      fieldsHolder.revalidate();
      fieldsHolder.repaint();
    } finally {
      filling = false;
    }
  }

  private void edited() {
    if (!filling) {
      editing = true;
      message.setText("edited — Save sends it to the daemon, Reset discards it");
    }
  }

  /**
   * The form as the body of {@code PUT /daemon/config}: every field, typed as the daemon sent it.
   */
  ObjectNode body() {
    ObjectNode body = JSON.createObjectNode();
    JsonNode from = Objects.requireNonNull(loaded);
    for (Map.Entry<String, JComponent> entry : fields.entrySet()) {
      String key = entry.getKey();
      JsonNode was = from.path(key);
      switch (entry.getValue()) {
        case JCheckBox box -> body.put(key, box.isSelected());
        case JTextField text -> {
          String value = text.getText().strip();
          if (was.isNull() && value.isEmpty()) {
            body.putNull(key);
          } else if (was.isIntegralNumber() && value.matches("-?\\d+")) {
            body.put(key, Long.parseLong(value));
          } else if (was.isNumber() && value.matches("-?\\d+(\\.\\d+)?")) {
            body.put(key, Double.parseDouble(value));
          } else {
            // Not a number where one was: sent as text, and the daemon names the field.
            body.put(key, value);
          }
        }
        default -> throw new IllegalStateException("a field of an unknown kind: " + key);
      }
    }
    return body;
  }

  private void save() {
    if (loaded == null) {
      return;
    }
    ObjectNode body = body();
    save.setEnabled(false);
    message.setText("saving…");
    Background.run(
        "save-config",
        () -> client.json("PUT", "/daemon/config", body),
        reply -> {
          save.setEnabled(true);
          switch (reply) {
            case Reply.Answer<JsonNode>(URI _, JsonNode saved) -> {
              fill(saved);
              message.setText("saved");
            }
            case Reply.Failure<JsonNode>(Problem problem) -> message.setText(refusal(problem));
          }
        });
  }

  /** The daemon's own words for a refused config, else the whole problem. */
  private static String refusal(Problem problem) {
    return problem instanceof Problem.ErrorAnswer(String _, int _, String text)
        ? text
        : problem.message();
  }

  /** Reset: the config from the daemon again, edits discarded. */
  private void reload() {
    reset.setEnabled(false);
    Background.run(
        "reload-config",
        () -> client.json("GET", "/daemon/config", null),
        reply -> {
          reset.setEnabled(true);
          switch (reply) {
            case Reply.Answer<JsonNode>(URI _, JsonNode config) -> {
              fill(config);
              message.setText("reloaded from the daemon");
            }
            case Reply.Failure<JsonNode>(Problem problem) -> message.setText(problem.message());
          }
        });
  }

  private void setAutostart(Path launcher) {
    boolean on = autostart.isSelected();
    Background.run(
        "autostart",
        () -> {
          try {
            Autostart.set(env, on, launcher, configPath);
            return "";
          } catch (IOException e) {
            LOG.warn("cannot change the autostart entry: {}", e.getMessage());
            return "cannot change the autostart entry: " + e.getMessage();
          }
        },
        problem -> {
          if (!problem.isEmpty()) {
            message.setText(problem);
            autostart.setSelected(Autostart.enabled(env));
          }
        });
  }

  /** Any change of a text field is an edit. */
  private final class Edits implements DocumentListener {
    @Override
    public void insertUpdate(DocumentEvent e) {
      edited();
    }

    @Override
    public void removeUpdate(DocumentEvent e) {
      edited();
    }

    @Override
    public void changedUpdate(DocumentEvent e) {
      edited();
    }
  }
}
