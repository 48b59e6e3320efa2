package org.studioworker.executors.synthetic;

import java.util.Locale;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;
import org.studioworker.spi.image.PngEncoder;
import org.studioworker.spi.image.WebpLosslessEncoder;

/**
 * Produces an {@code image} job's picture: lossless WebP when the task asks for {@code webp}, PNG
 * for any other extension (the result says which).
 */
final class ImageProducer {
  /** Largest width or height; 4096 x 4096 is 64 MiB of pixels in memory while encoding. */
  static final int MAX_SIDE = 4096;

  private ImageProducer() {}

  static JobResult produce(Task.Image image, InputHash hash, Checkpoint checkpoint)
      throws ExecutorException, InterruptedException {
    int width = image.width();
    int height = image.height();
    checkSides("image", width, height);
    int[] pixels = new PatternPainter(hash, width, height).paint(0, checkpoint);
    checkpoint.check();
    if (image.ext().toLowerCase(Locale.ROOT).equals("webp")) {
      return new JobResult.Binary(WebpLosslessEncoder.encodeFile(width, height, pixels), "webp");
    }
    return new JobResult.Binary(PngEncoder.encode(width, height, pixels), "png");
  }

  /** Fails a job whose width or height is beyond {@link #MAX_SIDE}. */
  static void checkSides(String kind, int width, int height) throws ExecutorException {
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      throw new ExecutorException(
          "synthetic "
              + kind
              + " of "
              + width
              + "x"
              + height
              + " is too large: width and height must be 1.."
              + MAX_SIDE);
    }
  }
}
