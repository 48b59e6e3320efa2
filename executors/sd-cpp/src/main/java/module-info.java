/**
 * The sd-cpp engine: image jobs through stable-diffusion.cpp's {@code sd-cli}, one process per job.
 *
 * <p>It reads {@code java.net.http} to download a job's input images. Its one exported type is the
 * provider, whose {@code preflight()} tells {@code status} whether the GPU runtime sd-cli needs is
 * installed (the SPI has no such call yet).
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.executors.sdcpp {
  requires static org.jspecify;
  requires java.net.http;
  requires org.studioworker.spi;

  exports org.studioworker.executors.sdcpp;

  provides org.studioworker.spi.ExecutorProvider with
      org.studioworker.executors.sdcpp.SdCppExecutorProvider;
}
