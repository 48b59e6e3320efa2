/**
 * The sd-cpp engine: image jobs through stable-diffusion.cpp's {@code sd-cli}, one process per job.
 *
 * <p>It downloads a job's input images with the plugin API's {@code InputDownloads} (which reads
 * {@code java.net.http}). It exports nothing: the runtime finds the provider through {@code
 * provides}, and {@code status} learns whether sd-cli and the Vulkan loader are there through
 * {@code Executor.readiness()}.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.executors.sdcpp {
  requires static org.jspecify;
  requires org.studioworker.spi;

  provides org.studioworker.spi.ExecutorProvider with
      org.studioworker.executors.sdcpp.SdCppExecutorProvider;
}
