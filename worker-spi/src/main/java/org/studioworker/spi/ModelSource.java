package org.studioworker.spi;

import java.util.List;
import java.util.Objects;

/**
 * Where a job's model comes from and which engine must run it.
 *
 * @param engine the engine that must run the job; there is never a fallback to another one
 * @param files the files to fetch, in the order the studio gave them
 * @param cliDefaults the model's preferred parameters
 */
public record ModelSource(EngineId engine, List<ModelFile> files, CliDefaults cliDefaults) {
  /** Copies the file list. */
  public ModelSource {
    Objects.requireNonNull(engine, "engine");
    files = List.copyOf(files);
    Objects.requireNonNull(cliDefaults, "cliDefaults");
  }
}
