package org.studioworker.executors.onnx;

import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.image.ImageDecoder;
import org.studioworker.spi.image.PngEncoder;
import org.studioworker.spi.image.WebpLosslessEncoder;

/**
 * The job's input images, decoded by the plugin API's {@link ImageDecoder} (PNG, JPEG, WebP by
 * content), and the result, encoded as PNG or lossless WebP. Thread-safe.
 */
final class Images {
  /**
   * The largest input decoded: 16 megapixels (4096²). Its pixels take 64 MiB, and the pipeline
   * holds a few copies at the task's size; the package's heap limit is 512 MiB.
   */
  static final long MAX_PIXELS = 16L << 20;

  private Images() {}

  /**
   * Decodes {@code data} into an RGB raster (alpha dropped).
   *
   * @param what the input's name for messages ({@code initImageUrl})
   * @throws ExecutorException naming the input when it is not a PNG, JPEG or WebP, is too large or
   *     does not decode
   */
  static Raster decode(String what, byte[] data) throws ExecutorException {
    ImageDecoder.Decoded image = ImageDecoder.decode(what, data, MAX_PIXELS);
    int[] rgb = image.argb();
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] &= 0xFFFFFF;
    }
    return new Raster(image.width(), image.height(), rgb);
  }

  /** The result: PNG when the task asks for png, else lossless WebP; the ext says which. */
  static JobResult.Binary encode(Raster rgb, String askedExt) {
    int[] argb = new int[rgb.pixels().length];
    for (int i = 0; i < argb.length; i++) {
      argb[i] = 0xFF000000 | rgb.pixels()[i];
    }
    if (askedExt.equalsIgnoreCase("png")) {
      return new JobResult.Binary(PngEncoder.encode(rgb.width(), rgb.height(), argb), "png");
    }
    return new JobResult.Binary(
        WebpLosslessEncoder.encodeFile(rgb.width(), rgb.height(), argb), "webp");
  }
}
