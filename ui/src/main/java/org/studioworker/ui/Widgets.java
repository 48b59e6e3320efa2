package org.studioworker.ui;

import com.formdev.flatlaf.util.UIScale;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.Toolkit;
import java.awt.datatransfer.StringSelection;
import java.util.function.Supplier;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JTextArea;
import javax.swing.UIManager;

/** The few components every page builds the same way. */
final class Widgets {
  private Widgets() {}

  /** A bold label, 1.3 times the look's font, for a section's heading. */
  static JLabel heading(String text) {
    JLabel label = new JLabel(text);
    label.putClientProperty("FlatLaf.styleClass", "h3");
    return label;
  }

  /** A read-only text area in the look's monospaced font, wrapped or not. */
  static JTextArea text(boolean wrap) {
    JTextArea area = new JTextArea();
    area.setEditable(false);
    area.setLineWrap(wrap);
    area.setWrapStyleWord(wrap);
    Font base = UIManager.getFont("TextArea.font");
    int size = base == null ? 12 : base.getSize();
    area.setFont(new Font(Font.MONOSPACED, Font.PLAIN, size));
    area.setBorder(pad(4, 4, 4, 4));
    return area;
  }

  /** Empty space around a component, in pixels at 1x, scaled with the desktop. */
  static javax.swing.border.Border pad(int top, int left, int bottom, int right) {
    return BorderFactory.createEmptyBorder(
        UIScale.scale(top), UIScale.scale(left), UIScale.scale(bottom), UIScale.scale(right));
  }

  /** Components side by side from the left edge, 8 px (scaled) apart. */
  static JPanel row(JComponent... items) {
    // A flow, not a box: each item keeps its preferred size as its text changes (a label filled
    // in by a poll, Pause becoming Resume); a box would fix the sizes they had when empty.
    JPanel row = new JPanel(new FlowLayout(FlowLayout.LEADING, 0, 0));
    for (int i = 0; i < items.length; i++) {
      if (i > 0) {
        row.add(Box.createHorizontalStrut(UIScale.scale(8)));
      }
      row.add(items[i]);
    }
    return row;
  }

  /** A button that puts {@code text} on the clipboard. */
  static JButton copy(String label, Supplier<String> text) {
    JButton button = new JButton(label);
    button.addActionListener(
        e ->
            Toolkit.getDefaultToolkit()
                .getSystemClipboard()
                .setContents(new StringSelection(text.get()), null));
    return button;
  }
}
