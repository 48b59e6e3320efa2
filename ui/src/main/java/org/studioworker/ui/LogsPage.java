package org.studioworker.ui;

import java.awt.BorderLayout;
import java.awt.FlowLayout;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;
import org.studioworker.runtime.localapi.DaemonClient.LogLine;

/** The daemon's log ring: a level filter, a search, follow, and Copy. */
final class LogsPage implements Page {
  /** The least level shown; {@code ALL} shows every entry. */
  enum Level {
    ALL(0),
    ERROR(4),
    WARN(3),
    INFO(2),
    DEBUG(1);

    final int rank;

    Level(int rank) {
      this.rank = rank;
    }

    static int rankOf(String level) {
      return switch (level.toUpperCase(Locale.ROOT)) {
        case "ERROR" -> 4;
        case "WARN", "WARNING" -> 3;
        case "INFO" -> 2;
        default -> 1;
      };
    }
  }

  private final JPanel root = new JPanel(new BorderLayout());
  final JComboBox<Level> level = new JComboBox<>(Level.values());
  final JTextField search = new JTextField(20);
  final JCheckBox follow = new JCheckBox("Follow", true);
  final JTextArea text = Widgets.text(false);
  private List<LogLine> lines = List.of();

  LogsPage() {
    JPanel bar = new JPanel(new FlowLayout(FlowLayout.LEFT));
    bar.add(new JLabel("Level"));
    bar.add(level);
    bar.add(new JLabel("Search"));
    bar.add(search);
    bar.add(follow);
    bar.add(Widgets.copy("Copy", text::getText));
    root.add(bar, BorderLayout.NORTH);
    root.add(new JScrollPane(text), BorderLayout.CENTER);
    root.setBorder(Widgets.pad(4, 4, 4, 4));
    level.addActionListener(e -> render());
    follow.addActionListener(e -> render());
    search
        .getDocument()
        .addDocumentListener(
            new DocumentListener() {
              @Override
              public void insertUpdate(DocumentEvent e) {
                render();
              }

              @Override
              public void removeUpdate(DocumentEvent e) {
                render();
              }

              @Override
              public void changedUpdate(DocumentEvent e) {
                render();
              }
            });
  }

  @Override
  public String title() {
    return "Logs";
  }

  @Override
  public JComponent component() {
    return root;
  }

  @Override
  public void update(UiModel model) {
    List<LogLine> now = model.logs();
    if (!now.equals(lines)) {
      lines = now;
      render();
    }
  }

  @Override
  public void clear() {
    lines = List.of();
    render();
  }

  private void render() {
    Level least = (Level) Objects.requireNonNull(level.getSelectedItem());
    String needle = search.getText().strip().toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder();
    for (LogLine line : lines) {
      if (least != Level.ALL && Level.rankOf(line.level()) < least.rank) {
        continue;
      }
      String rendered = line.render();
      if (!needle.isEmpty() && !rendered.toLowerCase(Locale.ROOT).contains(needle)) {
        continue;
      }
      out.append(rendered).append('\n');
    }
    int caret = text.getCaretPosition();
    text.setText(out.toString());
    text.setCaretPosition(
        follow.isSelected()
            ? text.getDocument().getLength()
            : Math.min(caret, text.getDocument().getLength()));
  }
}
