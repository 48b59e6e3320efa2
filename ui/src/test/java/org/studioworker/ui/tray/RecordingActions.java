package org.studioworker.ui.tray;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Tray actions that record their names and the thread they ran on. */
final class RecordingActions implements Tray.Actions {
  /** One call: which action, on which thread. */
  record Call(String action, String thread) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();

  @Override
  public void openWindow() {
    record("openWindow");
  }

  @Override
  public void togglePause() {
    record("togglePause");
  }

  @Override
  public void quit() {
    record("quit");
  }

  private void record(String action) {
    calls.add(new Call(action, Thread.currentThread().getName()));
  }

  List<String> actions() {
    return calls.stream().map(Call::action).toList();
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }
}
