package org.studioworker.runtime.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import org.studioworker.runtime.DesktopUi;
import org.studioworker.runtime.daemon.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code studio-worker ui}: the window and tray icon over the daemon of this config. */
@Command(
    name = "ui",
    description = {
      "Open the desktop UI: a window and a tray icon over the daemon of this config.",
      "One UI per config; a second `ui` raises the first one's window. The UI starts the",
      "daemon when none has run for 20 s, and the daemon it starts outlives it."
    })
final class UiCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  UiCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() throws InterruptedException {
    Optional<DesktopUi> ui = ServiceLoader.load(DesktopUi.class).findFirst();
    if (ui.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: the desktop UI is not part of this installation (no module provides it)");
      err.flush();
      return ExitCodes.FAILURE;
    }
    return ui.get().run(parent.configPath(), parent.env);
  }
}
