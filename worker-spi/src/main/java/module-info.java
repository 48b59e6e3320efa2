/**
 * The plugin API of studio-worker: the job model of the wire contract and the executor contract,
 * and what engines share: process helpers, bounded downloads, image encoders.
 *
 * <p>It reads JDK modules, {@code java.base}, {@code java.net.http} (for {@link
 * org.studioworker.spi.net.InputDownloads}) and {@code java.desktop} (ImageIO, for {@link
 * org.studioworker.spi.image.ImageDecoder}), and the TwelveMonkeys WebP reader, which the worker
 * brings; JSpecify annotations are compile-time only. So a plugin jar brings no JSON, logging or
 * image library of its own.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.spi {
  requires static org.jspecify;
  requires transitive java.net.http;
  requires java.desktop;
  requires com.twelvemonkeys.imageio.webp;

  exports org.studioworker.spi;
  exports org.studioworker.spi.process;
  exports org.studioworker.spi.net;
  exports org.studioworker.spi.image;
}
