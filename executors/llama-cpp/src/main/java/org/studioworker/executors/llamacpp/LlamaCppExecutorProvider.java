package org.studioworker.executors.llamacpp;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorProvider;

/**
 * Provides the llama-cpp engine ({@code modelSource.engine = llama-cpp}): llm jobs through a
 * managed llama.cpp {@code llama-server}.
 *
 * <p>Creating the executor starts nothing: the server starts with the first job. It logs once where
 * llama-server is, or where it looked; it never fails. Thread-safe.
 */
public final class LlamaCppExecutorProvider implements ExecutorProvider {
  private static final System.Logger LOG = System.getLogger("llama-cpp");

  private final Map<String, String> env;

  /** Called by {@link java.util.ServiceLoader}; reads the process environment. */
  public LlamaCppExecutorProvider() {
    this(System.getenv());
  }

  /** A provider that reads the given environment instead of the process's. */
  LlamaCppExecutorProvider(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public EngineId engine() {
    return EngineId.LLAMA_CPP;
  }

  @Override
  public String version() {
    return "0.5.0";
  }

  @Override
  public Executor create(ExecutorEnvironment environment) {
    LlamaCppSettings settings = LlamaCppSettings.fromEnv(env);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    LlamaServerExecutor executor =
        new LlamaServerExecutor(
            env,
            environment.modelsRoot(),
            environment.workDir().resolve("llama-cpp"),
            environment.processEnv(),
            settings,
            http);
    // The daemon logs each engine's readiness once, in its roster; the details are for debugging.
    LOG.log(
        System.Logger.Level.DEBUG,
        "{0}; completion timeout {1} s, idle stop after {2} s",
        executor.describe(),
        settings.jobTimeout().toSeconds(),
        settings.idleStop().toSeconds());
    return executor;
  }
}
