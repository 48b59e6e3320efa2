package org.studioworker.executors.llamacpp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a running llama-server was started with; a job with another key needs a restart.
 *
 * @param model the GGUF model file
 * @param mmproj the multimodal projector ({@code text-encoder-vision} file), if any
 * @param contextSize the context size ({@code cliDefaults.contextSize}), or null for the model's
 */
record ServerKey(Path model, @Nullable Path mmproj, @Nullable Integer contextSize) {
  ServerKey {
    Objects.requireNonNull(model, "model");
  }

  /** The arguments after the program: {@code -m}, host, port, {@code -c}, {@code --mmproj}. */
  List<String> arguments(int port) {
    List<String> args = new ArrayList<>();
    args.add("-m");
    args.add(model.toString());
    args.add("--host");
    args.add("127.0.0.1");
    args.add("--port");
    args.add(Integer.toString(port));
    if (contextSize != null) {
      args.add("-c");
      args.add(contextSize.toString());
    }
    if (mmproj != null) {
      args.add("--mmproj");
      args.add(mmproj.toString());
    }
    return List.copyOf(args);
  }
}
