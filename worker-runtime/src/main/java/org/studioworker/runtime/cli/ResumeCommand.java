package org.studioworker.runtime.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code studio-worker resume}: the running daemon takes jobs again. */
@Command(
    name = "resume",
    description = {
      "Let the running daemon take jobs again after `pause` (runtime only, not saved)."
    })
final class ResumeCommand implements Callable<Integer> {
  private final StudioWorkerCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  ResumeCommand(StudioWorkerCommand parent) {
    this.parent = parent;
    this.spec = picocli.CommandLine.Model.CommandSpec.create();
  }

  @Override
  public Integer call() throws InterruptedException {
    return PauseCommand.setPaused(parent, spec, false, "resumed: the worker takes jobs again");
  }
}
