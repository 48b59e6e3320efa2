package org.studioworker.ui;

import javax.swing.JComponent;

/** One page of the window; its methods run on the EDT. */
interface Page {
  /** The sidebar's name of the page. */
  String title();

  /** The page's component, made once. */
  JComponent component();

  /** Shows the model's status; called after each poll that got an answer. */
  void update(UiModel model);

  /** Forgets what the daemon said: called when it stops answering. */
  void clear();
}
