package org.studioworker.runtime.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many bytes a folder's file system still has for us; a seam so tests can play a full disk. */
@FunctionalInterface
interface DiskSpace {
  /** The usable bytes on the file system that holds {@code folder}. */
  long usableBytes(Path folder) throws IOException;

  /** The file system's own answer. */
  static DiskSpace ofFileStore() {
    return folder -> Files.getFileStore(folder).getUsableSpace();
  }
}
