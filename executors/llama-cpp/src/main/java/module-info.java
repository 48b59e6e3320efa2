/**
 * The llama-cpp engine: llm jobs through a managed llama.cpp {@code llama-server}, kept loaded
 * between jobs of the same model.
 *
 * <p>It reads {@code java.net.http} to talk to the server on loopback.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.executors.llamacpp {
  requires static org.jspecify;
  requires java.net.http;
  requires org.studioworker.spi;

  provides org.studioworker.spi.ExecutorProvider with
      org.studioworker.executors.llamacpp.LlamaCppExecutorProvider;
}
