/**
 * The plugin API of studio-worker: the job model of the wire contract and the executor contract,
 * and what engines share: process helpers, bounded downloads, image encoders.
 *
 * <p>It needs only JDK modules, {@code java.base} and {@code java.net.http} (for {@link
 * org.studioworker.spi.net.InputDownloads}); JSpecify annotations are compile-time only. So a
 * plugin jar brings no JSON or logging library of its own.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.spi {
  requires static org.jspecify;
  requires transitive java.net.http;

  exports org.studioworker.spi;
  exports org.studioworker.spi.process;
  exports org.studioworker.spi.net;
  exports org.studioworker.spi.image;
}
