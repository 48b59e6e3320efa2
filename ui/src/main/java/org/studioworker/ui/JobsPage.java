package org.studioworker.ui;

import java.awt.BorderLayout;
import java.awt.Component;
import java.awt.Image;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.swing.BorderFactory;
import javax.swing.BoxLayout;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.ImageIcon;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTextArea;
import javax.swing.ListSelectionModel;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.localapi.DaemonClient.Problem;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import tools.jackson.databind.JsonNode;

/**
 * The jobs running now, the history grouped by day (studio and local, newest first), and the detail
 * of the selected job: thumbnail, full prompt, outcome and its log.
 */
final class JobsPage implements Page {
  /**
   * Why 64? The daemon keeps 100 thumbnails of at most 384 px; 64 of them is ~40 MB of pixels at
   * worst.
   */
  private static final int MAX_THUMBNAILS = 64;

  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM uuuu");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** A row of the history: a day's heading or a job. */
  sealed interface Row {
    record Day(String label) implements Row {}

    record Job(JsonNode job) implements Row {
      String id() {
        return job.path("jobId").asString("");
      }
    }
  }

  enum Filter {
    ALL("All"),
    STUDIO("Studio"),
    LOCAL("Local");

    private final String label;

    Filter(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private final DaemonClient client;
  private final JPanel root = new JPanel(new BorderLayout());
  final JPanel running = new JPanel();
  final JComboBox<Filter> filter = new JComboBox<>(Filter.values());
  final DefaultListModel<Row> rows = new DefaultListModel<>();
  final JList<Row> history = new JList<>(rows);
  final JLabel thumbnail = new JLabel();
  final JTextArea prompt = Widgets.text(true);
  final JLabel outcome = new JLabel(" ");
  final JTextArea log = Widgets.text(false);

  /** Decoded thumbnails by job id, least recently used first; EDT only. */
  private final Map<String, ImageIcon> thumbnails =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ImageIcon> eldest) {
          return size() > MAX_THUMBNAILS;
        }
      };

  /** The job the detail pane shows, or null. */
  private @Nullable String shown;

  /** The id, status and thumbnail flag the detail pane last fetched for; a change fetches again. */
  private String fetchedFor = "";

  /** The jobs of the last status, by id, so that a selection survives a poll. */
  private List<JsonNode> jobs = List.of();

  private @Nullable JsonNode lastStatus;

  JobsPage(DaemonClient client) {
    this.client = client;
    running.setLayout(new BoxLayout(running, BoxLayout.Y_AXIS));
    JPanel top = new JPanel(new BorderLayout());
    top.add(Widgets.heading("Running now"), BorderLayout.NORTH);
    top.add(running, BorderLayout.CENTER);
    JPanel filterBar = Widgets.row(Widgets.heading("History"), filter);
    filterBar.setBorder(Widgets.pad(6, 0, 6, 0));
    top.add(filterBar, BorderLayout.SOUTH);
    top.setBorder(Widgets.pad(8, 8, 0, 8));

    history.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    history.setCellRenderer(new RowRenderer());
    history.addListSelectionListener(
        e -> {
          if (!e.getValueIsAdjusting()) {
            select(history.getSelectedValue());
          }
        });
    filter.addActionListener(e -> refill());

    JPanel detail = new JPanel(new BorderLayout(0, 6));
    detail.setBorder(Widgets.pad(8, 8, 8, 8));
    JPanel head = new JPanel(new BorderLayout(8, 0));
    thumbnail.setHorizontalAlignment(JLabel.CENTER);
    head.add(thumbnail, BorderLayout.WEST);
    JPanel words = new JPanel(new BorderLayout(0, 4));
    words.add(outcome, BorderLayout.NORTH);
    words.add(new JScrollPane(prompt), BorderLayout.CENTER);
    head.add(words, BorderLayout.CENTER);
    detail.add(head, BorderLayout.NORTH);
    JPanel logPane = new JPanel(new BorderLayout());
    JPanel logBar = Widgets.row(Widgets.heading("Job log"), Widgets.copy("Copy", log::getText));
    logBar.setBorder(Widgets.pad(0, 0, 4, 0));
    logPane.add(logBar, BorderLayout.NORTH);
    logPane.add(new JScrollPane(log), BorderLayout.CENTER);
    detail.add(logPane, BorderLayout.CENTER);

    JScrollPane list = new JScrollPane(history);
    // Room for a row's time, kind, outcome, source and the start of its prompt at any scale.
    list.setPreferredSize(
        new java.awt.Dimension(
            com.formdev.flatlaf.util.UIScale.scale(440),
            com.formdev.flatlaf.util.UIScale.scale(300)));
    JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, list, detail);
    split.setResizeWeight(0.4);
    root.add(top, BorderLayout.NORTH);
    root.add(split, BorderLayout.CENTER);
    clear();
  }

  @Override
  public String title() {
    return "Jobs";
  }

  @Override
  public JComponent component() {
    return root;
  }

  @Override
  public void update(UiModel model) {
    JsonNode status = Objects.requireNonNull(model.status());
    if (status.equals(lastStatus)) {
      return;
    }
    lastStatus = status;
    running.removeAll();
    JsonNode active = status.path("activeJobs");
    if (active.isEmpty()) {
      running.add(new JLabel("No job is running."));
    }
    for (JsonNode job : active) {
      running.add(card(job));
    }
    running.revalidate();
    running.repaint();
    List<JsonNode> all = new ArrayList<>();
    status.path("recentJobs").forEach(all::add);
    status.path("localJobs").forEach(all::add);
    all.sort(Comparator.comparing((JsonNode j) -> instant(j.path("startedAt"))).reversed());
    jobs = all;
    refill();
  }

  @Override
  public void clear() {
    lastStatus = null;
    jobs = List.of();
    running.removeAll();
    running.add(new JLabel("No job is running."));
    rows.clear();
    showNothing();
  }

  private JComponent card(JsonNode job) {
    JLabel card =
        new JLabel(
            job.path("kind").asString("job")
                + " · "
                + job.path("model").asString("")
                + " · "
                + job.path("source").asString("")
                + " · since "
                + local(instant(job.path("startedAt"))).format(TIME)
                + " · "
                + job.path("jobId").asString(""));
    card.setBorder(
        BorderFactory.createCompoundBorder(
            BorderFactory.createEtchedBorder(), Widgets.pad(4, 8, 4, 8)));
    return card;
  }

  /** Rebuilds the history rows from the last jobs and the filter, keeping the selection. */
  private void refill() {
    Row selected = history.getSelectedValue();
    String keep = selected instanceof Row.Job job ? job.id() : shown;
    Filter which = (Filter) Objects.requireNonNull(filter.getSelectedItem());
    LocalDate today = LocalDate.now();
    String lastDay = null;
    rows.clear();
    int select = -1;
    for (JsonNode job : jobs) {
      String source = job.path("source").asString("");
      if (which == Filter.STUDIO && !source.equals("studio")
          || which == Filter.LOCAL && !source.equals("local")) {
        continue;
      }
      LocalDate day = local(instant(job.path("startedAt"))).toLocalDate();
      String label =
          day.equals(today)
              ? "Today"
              : day.equals(today.minusDays(1)) ? "Yesterday" : day.format(DAY);
      if (!label.equals(lastDay)) {
        rows.addElement(new Row.Day(label));
        lastDay = label;
      }
      Row.Job row = new Row.Job(job);
      if (row.id().equals(keep)) {
        select = rows.size();
      }
      rows.addElement(row);
    }
    if (select >= 0) {
      history.setSelectedIndex(select);
      Row now = rows.get(select);
      // The board entry may have changed (running → completed): show it again.
      if (now instanceof Row.Job job) {
        showJob(job.job(), false);
      }
    } else if (keep != null) {
      showNothing();
    }
  }

  private void select(@Nullable Row row) {
    if (row instanceof Row.Job job) {
      showJob(job.job(), !job.id().equals(shown));
    }
  }

  private void showNothing() {
    shown = null;
    fetchedFor = "";
    thumbnail.setIcon(null);
    thumbnail.setText("");
    prompt.setText("Select a job to see its prompt, outcome and log.");
    outcome.setText(" ");
    log.setText("");
  }

  /**
   * Shows a job's summary at once; fetches its full prompt when newly selected ({@code fresh}), and
   * its thumbnail and log again whenever its status changed (running, then completed).
   */
  private void showJob(JsonNode job, boolean fresh) {
    String id = job.path("jobId").asString("");
    shown = id;
    String status = job.path("status").asString("");
    String reason = job.path("reason").asString("");
    outcome.setText(
        "<html><b>"
            + escape(job.path("kind").asString("job") + " · " + job.path("model").asString(""))
            + "</b> — "
            + escape(status + (reason.isEmpty() ? "" : ": " + reason))
            + " ("
            + escape(job.path("source").asString(""))
            + ", "
            + escape(id)
            + ")</html>");
    String path = "/jobs/" + id;
    if (fresh) {
      prompt.setText(job.path("prompt").asString(""));
      fetchPrompt(id, path);
    }
    boolean hasThumbnail = job.path("hasThumbnail").asBoolean(false);
    String key = id + " " + status + " " + hasThumbnail;
    if (!fresh && key.equals(fetchedFor)) {
      return;
    }
    fetchedFor = key;
    if (fresh) {
      log.setText("");
    }
    ImageIcon cached = thumbnails.get(id);
    thumbnail.setIcon(cached);
    thumbnail.setText(hasThumbnail ? "" : "no thumbnail");
    if (cached == null && hasThumbnail) {
      Background.run(
          "thumbnail",
          () -> client.bytes(path + "/thumbnail"),
          reply -> {
            if (reply instanceof Reply.Answer<byte[]>(URI _, byte[] png)) {
              ImageIcon icon = decode(png);
              if (icon != null) {
                thumbnails.put(id, icon);
                if (id.equals(shown)) {
                  thumbnail.setIcon(icon);
                }
              }
            }
          });
    }
    Background.run(
        "job-log",
        () -> client.json("GET", path + "/log", null),
        reply -> {
          if (!id.equals(shown)) {
            return;
          }
          switch (reply) {
            case Reply.Answer<JsonNode>(URI _, JsonNode body) -> log.setText(logText(body));
            case Reply.Failure<JsonNode>(Problem problem) -> log.setText(problem.message());
          }
          log.setCaretPosition(0);
        });
  }

  /**
   * A daemon with {@code GET /jobs/{id}} has the whole prompt; one without answers 404: the preview
   * stays.
   */
  private void fetchPrompt(String id, String path) {
    Background.run(
        "job",
        () -> client.json("GET", path, null),
        reply -> {
          if (id.equals(shown)
              && reply instanceof Reply.Answer<JsonNode>(URI _, JsonNode full)
              && full.path("prompt").isString()) {
            prompt.setText(full.path("prompt").asString());
          }
        });
  }

  /** The lines of {@code GET /jobs/{id}/log} as text, one a line. */
  static String logText(JsonNode body) {
    StringBuilder text = new StringBuilder();
    for (JsonNode line : body.path("lines")) {
      text.append(DaemonClient.time(line.get("ts")))
          .append(' ')
          .append(line.path("level").asString(""))
          .append(' ')
          .append(line.path("target").asString(""))
          .append(": ")
          .append(line.path("message").asString(""))
          .append('\n');
    }
    long dropped = body.path("dropped").asLong(0);
    if (dropped > 0) {
      text.append("(").append(dropped).append(" earlier lines dropped)\n");
    }
    return text.isEmpty() ? "(no log lines)" : text.toString();
  }

  /** A PNG as an icon at most 192 px on its longer side (half the daemon's 384), or null. */
  private static @Nullable ImageIcon decode(byte[] png) {
    try {
      var image = ImageIO.read(new ByteArrayInputStream(png));
      if (image == null) {
        return null;
      }
      int side = Math.max(image.getWidth(), image.getHeight());
      int target = com.formdev.flatlaf.util.UIScale.scale(192);
      if (side <= target) {
        return new ImageIcon(image);
      }
      return new ImageIcon(
          image.getScaledInstance(
              image.getWidth() * target / side,
              image.getHeight() * target / side,
              Image.SCALE_SMOOTH));
    } catch (IOException e) {
      return null;
    }
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static Instant instant(JsonNode ts) {
    if (ts.isIntegralNumber()) {
      return Instant.ofEpochMilli(ts.asLong());
    }
    try {
      return Instant.parse(ts.asString(""));
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  private static java.time.LocalDateTime local(Instant at) {
    return java.time.LocalDateTime.ofInstant(at, ZoneId.systemDefault());
  }

  /** Days as headings, jobs as one line each. */
  private static final class RowRenderer extends DefaultListCellRenderer {
    private static final long serialVersionUID = 1L;

    @Override
    public Component getListCellRendererComponent(
        JList<?> list, Object value, int index, boolean selected, boolean focus) {
      Row row = (Row) value;
      String text =
          switch (row) {
            case Row.Day(String label) -> "<html><b>" + escape(label) + "</b></html>";
            case Row.Job(JsonNode job) ->
                "   "
                    + local(instant(job.path("startedAt"))).format(TIME)
                    + "  "
                    + job.path("kind").asString("")
                    + "  "
                    + job.path("status").asString("")
                    + "  ["
                    + job.path("source").asString("")
                    + "]  "
                    + first(job.path("prompt").asString(""), 60);
          };
      return super.getListCellRendererComponent(
          list, text, index, selected && row instanceof Row.Job, focus);
    }

    private static String first(String text, int n) {
      String line = text.replaceAll("\\s+", " ");
      return line.length() <= n ? line : line.substring(0, n) + "…";
    }
  }
}
