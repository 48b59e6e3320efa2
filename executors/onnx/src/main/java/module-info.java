/**
 * The onnx engine: LaMa object removal on ONNX Runtime, loaded as a plugin.
 *
 * <p>ONNX Runtime's classes and its natives for linux-x64 and linux-aarch64 are packages of this
 * module rather than a module of their own: a plugin may read only the plugin API and the JDK
 * (docs/plugins.md). It reads {@code java.logging}, through which ONNX Runtime logs; images are
 * decoded by the plugin API. The jar's manifest asks for native access, which the worker grants
 * through the plugin's layer (JEP 472).
 *
 * <p>Null-marked by package ({@code package-info}), not here: the module's other packages are ONNX
 * Runtime's, written without nullness annotations.
 */
module org.studioworker.executors.onnx {
  requires static org.jspecify;
  requires java.logging;
  requires org.studioworker.spi;

  provides org.studioworker.spi.ExecutorProvider with
      org.studioworker.executors.onnx.OnnxExecutorProvider;
}
