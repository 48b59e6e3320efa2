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
            settings,
            http);
    LOG.log(
        System.Logger.Level.INFO,
        "llama-cpp: "
            + executor.describe()
            + "; completion timeout "
            + settings.jobTimeout().toSeconds()
            + " s, idle stop after "
            + settings.idleStop().toSeconds()
            + " s");
    return executor;
  }
}
