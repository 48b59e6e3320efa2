package org.studioworker.ui;

import java.nio.file.Path;
import java.util.Map;
import org.studioworker.runtime.DesktopUi;

/** The service the runtime's {@code ui} command finds: starts the desktop UI. */
public final class DesktopUiProvider implements DesktopUi {
  /** For the service loader. */
  public DesktopUiProvider() {}

  @Override
  public int run(Path configPath, Map<String, String> env) throws InterruptedException {
    throw new UnsupportedOperationException("the desktop UI is being assembled");
  }
}
