package org.studioworker.runtime.models;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;

/**
 * Another worker on the same machine, as far as model files go: a process that fetches one file
 * into a shared root and says {@code fetched <path>}, or exits 1 with the reason.
 *
 * <p>Arguments: root, url, file name, size, SHA-256, idle timeout in milliseconds.
 */
final class ModelStoreChild {
  private ModelStoreChild() {}

  public static void main(String[] args) throws Exception {
    ModelStore store =
        new ModelStore(
            Path.of(args[0]),
            StudioHttp.client(Duration.ofSeconds(5)),
            InstantSource.system(),
            Duration.ofSeconds(10),
            Duration.ofMillis(Long.parseLong(args[5])),
            new Traffic());
    ModelFile file =
        new ModelFile(FileRole.MODEL, args[1], args[2], Long.parseLong(args[3]), args[4]);
    try {
      System.out.println("fetched " + store.fetch("m", file, () -> false));
      System.exit(0);
    } catch (Exception e) {
      System.out.println("failed: " + e);
      System.exit(1);
    }
  }
}
