package org.studioworker.executors.synthetic;

import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;

/**
 * Produces a {@code video} job's clip as an animated lossless WebP, whatever extension the task
 * asked for: we write no mp4, and the result's extension ({@code webp}) tells the studio what it
 * got.
 *
 * <p>Frames = {@code round(seconds x fps)}, at least 1; the rings of the picture make one loop over
 * the clip.
 */
final class VideoProducer {
  /** Frames a second when the task does not say. */
  static final int DEFAULT_FPS = 8;

  /** At most 240 frames: 30 s at the default rate. */
  static final int MAX_FRAMES = 240;

  /**
   * At most 2^25 pixels over all frames (128 frames of the default 512 x 512), which bounds the
   * work: painting and encoding run at roughly 10 million pixels a second.
   */
  static final long MAX_TOTAL_PIXELS = 1L << 25;

  private VideoProducer() {}

  static JobResult produce(Task.Video video, InputHash hash, Checkpoint checkpoint)
      throws ExecutorException, InterruptedException {
    int width = video.width();
    int height = video.height();
    ImageProducer.checkSides("video", width, height);
    int fps = video.fps() == null ? DEFAULT_FPS : video.fps();
    double exactFrames = video.seconds() * fps;
    // Why >= 240.5: Math.round takes 240.5 up to 241, one frame over the limit.
    if (exactFrames >= MAX_FRAMES + 0.5) {
      throw new ExecutorException(
          "synthetic video of "
              + video.seconds()
              + " s at "
              + fps
              + " fps is too long: at most "
              + MAX_FRAMES
              + " frames (seconds x fps)");
    }
    int frames = (int) Math.max(1, Math.round(exactFrames));
    long totalPixels = (long) width * height * frames;
    if (totalPixels > MAX_TOTAL_PIXELS) {
      throw new ExecutorException(
          "synthetic video of "
              + frames
              + " frames of "
              + width
              + "x"
              + height
              + " is too large: at most "
              + MAX_TOTAL_PIXELS
              + " pixels over all frames");
    }
    int frameMillis = (int) Math.max(1, Math.round(1000.0 / fps));
    PatternPainter painter = new PatternPainter(hash, width, height);
    AnimatedWebpWriter writer = new AnimatedWebpWriter(width, height, frameMillis);
    for (int frame = 0; frame < frames; frame++) {
      checkpoint.check();
      writer.addFrame(painter.paint((double) frame / frames, checkpoint));
    }
    checkpoint.check();
    return new JobResult.Binary(writer.toByteArray(), "webp");
  }
}
