package org.studioworker.ui;

import com.formdev.flatlaf.util.UIScale;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;

/** A two-column grid of labels and values, as the Worker, Config and About pages show them. */
final class Form {
  final JPanel panel = new JPanel(new GridBagLayout());
  private int row;

  /** Adds a row: {@code label} on the left, {@code value} stretched on the right. */
  void add(String label, JComponent value) {
    GridBagConstraints left = new GridBagConstraints();
    left.gridx = 0;
    left.gridy = row;
    left.anchor = GridBagConstraints.FIRST_LINE_START;
    left.insets = scaled(3, 0, 3, 12);
    panel.add(new JLabel(label), left);
    GridBagConstraints right = new GridBagConstraints();
    right.gridx = 1;
    right.gridy = row;
    right.weightx = 1;
    right.fill = GridBagConstraints.HORIZONTAL;
    right.anchor = GridBagConstraints.FIRST_LINE_START;
    right.insets = scaled(3, 0, 3, 0);
    panel.add(value, right);
    row++;
  }

  /** Adds a component across both columns. */
  void span(JComponent value) {
    GridBagConstraints all = new GridBagConstraints();
    all.gridx = 0;
    all.gridy = row++;
    all.gridwidth = 2;
    all.weightx = 1;
    all.fill = GridBagConstraints.HORIZONTAL;
    all.anchor = GridBagConstraints.FIRST_LINE_START;
    all.insets = scaled(10, 0, 3, 0);
    panel.add(value, all);
  }

  private static Insets scaled(int top, int left, int bottom, int right) {
    return new Insets(
        UIScale.scale(top), UIScale.scale(left), UIScale.scale(bottom), UIScale.scale(right));
  }

  /** Pushes the rows to the top: an empty row that takes the height left. */
  JPanel done() {
    GridBagConstraints rest = new GridBagConstraints();
    rest.gridy = row++;
    rest.weighty = 1;
    panel.add(new JLabel(), rest);
    return panel;
  }
}
