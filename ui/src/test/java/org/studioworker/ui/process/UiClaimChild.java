package org.studioworker.ui.process;

import java.nio.file.Path;
import java.util.Optional;

/** A second UI launch in a process of its own: claims the config's UI and says how it went. */
final class UiClaimChild {
  private UiClaimChild() {}

  public static void main(String[] args) throws Exception {
    Optional<UiInstance> claimed = UiInstance.claim(Path.of(args[0]));
    System.out.println(
        (claimed.isPresent() ? "claimed" : "held") + " pid " + ProcessHandle.current().pid());
    claimed.ifPresent(UiInstance::close);
  }
}
