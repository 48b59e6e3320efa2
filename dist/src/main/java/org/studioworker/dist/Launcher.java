package org.studioworker.dist;

import java.util.Arrays;
import org.studioworker.devstudio.DevStudioMain;
import org.studioworker.runtime.Main;

/**
 * The launcher's entry point: {@code demo} and {@code dev-studio} here, everything else to the
 * worker's own command line.
 */
public final class Launcher {
  private Launcher() {}

  /** Dispatches on the first argument. */
  public static void main(String[] args) throws Exception {
    String verb = args.length == 0 ? "" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (verb) {
      case "demo" -> System.exit(Demo.run(rest));
      case "dev-studio" -> DevStudioMain.main(rest);
      default -> Main.main(args);
    }
  }
}
