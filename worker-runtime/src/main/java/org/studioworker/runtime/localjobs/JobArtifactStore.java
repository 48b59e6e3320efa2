package org.studioworker.runtime.localjobs;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.protocol.LogEntry;
import org.studioworker.runtime.logs.ShipAppender;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.image.ImageDecoder;
import org.studioworker.spi.image.PngEncoder;

/**
 * The {@link JobArtifacts} of the daemon, studio and local jobs alike.
 *
 * <p>Logs: every line the worker logs at info and above with a job id in the MDC ({@link
 * ShipAppender#JOB_ID}) reaches {@link #accept} through {@link ShipAppender#attachJobLines} (see
 * {@link #capture}), already redacted by the ship path ({@code Redactor}), so no registered secret
 * and no bearer credential reaches a job log. Thumbnails: {@link #imageResult} decodes an image
 * result (PNG, JPEG, WebP), shrinks it with a box filter so that its longer side is at most {@link
 * #THUMBNAIL_SIDE}, and keeps it as PNG.
 *
 * <p>Thread-safe; {@link #accept} takes one short lock and never blocks otherwise.
 */
public final class JobArtifactStore implements JobArtifacts {
  private static final Logger log = LoggerFactory.getLogger("artifacts");

  /** The largest image result file read from disk for a thumbnail. */
  static final long MAX_IMAGE_FILE_BYTES = 64L * 1024 * 1024;

  /**
   * The largest result a thumbnail is made of: 16 megapixels (4096²) decode to 64 MiB of pixels,
   * twice over while ImageIO hands them on, which the daemon's heap limit can spare; a larger
   * result gets no thumbnail rather than risk the heap.
   */
  static final long MAX_THUMBNAIL_SOURCE_PIXELS = 16L << 20;

  /** The extensions of the image files a thumbnail is made of. */
  private static final Set<String> IMAGE_EXTS = Set.of("png", "webp", "jpg", "jpeg");

  private final ReentrantLock lock = new ReentrantLock();

  /** Guarded by {@link #lock}: job id → its lines, in the order of each job's first line. */
  private final LinkedHashMap<String, Lines> logs = new LinkedHashMap<>();

  /** Guarded by {@link #lock}: job id → PNG, oldest first. */
  private final LinkedHashMap<String, byte[]> thumbnails = new LinkedHashMap<>();

  /**
   * Guarded by {@link #lock}: job id → its prompt (cut to {@link #MAX_PROMPT_BYTES}), oldest first.
   */
  private final LinkedHashMap<String, String> prompts = new LinkedHashMap<>();

  /** One job's kept lines. Guarded by the store's lock. */
  private static final class Lines {
    final ArrayDeque<Line> lines = new ArrayDeque<>();
    long dropped;
  }

  /** An empty store; feed it with {@link #capture}. */
  public JobArtifactStore() {}

  /**
   * Keeps the lines of jobs that {@code appender} sees from now on (the daemon passes {@code
   * LogSetup.ship()}).
   *
   * @return closing it stops the capture
   */
  public AutoCloseable capture(ShipAppender appender) {
    return appender.attachJobLines(this::accept);
  }

  /** Keeps one logged line of a job; an entry without a job id is ignored. */
  public void accept(LogEntry entry) {
    String jobId = entry.jobId();
    if (jobId == null) {
      return;
    }
    Line line = new Line(entry.ts(), entry.level().name(), entry.category(), cut(entry.message()));
    lock.lock();
    try {
      Lines kept = logs.get(jobId);
      if (kept == null) {
        kept = new Lines();
        logs.put(jobId, kept);
        while (logs.size() > MAX_JOBS) {
          logs.pollFirstEntry();
        }
      }
      kept.lines.addLast(line);
      while (kept.lines.size() > MAX_LINES) {
        kept.lines.pollFirst();
        kept.dropped++;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The first {@link #MAX_LINE_CHARS} characters, never splitting a surrogate pair. */
  private static String cut(String message) {
    if (message.length() <= MAX_LINE_CHARS) {
      return message;
    }
    int end = MAX_LINE_CHARS;
    if (Character.isHighSurrogate(message.charAt(end - 1))) {
      end--;
    }
    return message.substring(0, end);
  }

  @Override
  public Optional<Log> log(String jobId) {
    lock.lock();
    try {
      Lines kept = logs.get(jobId);
      return kept == null
          ? Optional.empty()
          : Optional.of(new Log(List.copyOf(kept.lines), kept.dropped));
    } finally {
      lock.unlock();
    }
  }

  /** Keeps the prompt of a job that starts now, cut to {@link #MAX_PROMPT_BYTES} of UTF-8. */
  public void started(String jobId, String prompt) {
    String kept = cutUtf8(prompt, MAX_PROMPT_BYTES);
    lock.lock();
    try {
      prompts.remove(jobId);
      prompts.put(jobId, kept);
      while (prompts.size() > MAX_JOBS) {
        prompts.pollFirstEntry();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<String> prompt(String jobId) {
    lock.lock();
    try {
      return Optional.ofNullable(prompts.get(jobId));
    } finally {
      lock.unlock();
    }
  }

  /**
   * The longest prefix of {@code text} whose UTF-8 is at most {@code maxBytes}, whole code points
   * only.
   */
  static String cutUtf8(String text, int maxBytes) {
    // Why not encode and cut? A prompt may be megabytes; count instead, and stop at the cap.
    int bytes = 0;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (Character.isSurrogate((char) cp)) {
        // A lone surrogate is encoded as "?" (one byte) by the JDK's UTF-8 encoder.
        size = 1;
      }
      if (bytes + size > maxBytes) {
        return text.substring(0, i);
      }
      bytes += size;
      i += Character.charCount(cp);
    }
    return text;
  }

  @Override
  public Optional<byte[]> thumbnail(String jobId) {
    lock.lock();
    try {
      byte[] png = thumbnails.get(jobId);
      return png == null ? Optional.empty() : Optional.of(png.clone());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean hasThumbnail(String jobId) {
    lock.lock();
    try {
      return thumbnails.containsKey(jobId);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Makes and keeps the thumbnail of an image job's result: its bytes, or its file read from disk
   * (only an image file of at most {@link #MAX_IMAGE_FILE_BYTES}; the file is left in place). A
   * result that does not decode is logged at debug and gets none; never throws.
   *
   * <p>Cost: one decode, one box filter over the pixels and one PNG encode of at most 384×384, on
   * the calling thread: tens of milliseconds for a 1024×1024 image.
   */
  public void imageResult(String jobId, JobResult result) {
    byte[] encoded = imageBytes(jobId, result);
    if (encoded == null) {
      return;
    }
    byte[] png;
    try {
      ImageDecoder.Decoded image =
          ImageDecoder.decode("the result of job " + jobId, encoded, MAX_THUMBNAIL_SOURCE_PIXELS);
      png = thumbnailOf(image);
    } catch (ExecutorException | RuntimeException e) {
      log.debug("job {}: no thumbnail: {}", jobId, e.getMessage());
      return;
    }
    lock.lock();
    try {
      thumbnails.remove(jobId);
      thumbnails.put(jobId, png);
      while (thumbnails.size() > MAX_THUMBNAILS) {
        thumbnails.pollFirstEntry();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The encoded image of a result: a {@link JobResult.Binary}'s bytes, or a {@link JobResult.File}
   * read from disk when its extension is an image's and it is at most {@link
   * #MAX_IMAGE_FILE_BYTES}; null for anything else (a video, a file too large to decode here).
   */
  private static byte @Nullable [] imageBytes(String jobId, JobResult result) {
    return switch (result) {
      case JobResult.Binary binary -> binary.bytes();
      case JobResult.Json json -> null;
      case JobResult.File file -> {
        if (!IMAGE_EXTS.contains(file.ext().toLowerCase(Locale.ROOT))) {
          yield null;
        }
        try {
          long size = Files.size(file.path());
          if (size > MAX_IMAGE_FILE_BYTES) {
            log.debug("job {}: no thumbnail: the image is {} bytes", jobId, size);
            yield null;
          }
          yield Files.readAllBytes(file.path());
        } catch (IOException e) {
          log.debug("job {}: no thumbnail: {}", jobId, e.toString());
          yield null;
        }
      }
    };
  }

  /** The PNG of {@code image}, its longer side at most {@link #THUMBNAIL_SIDE}. */
  static byte[] thumbnailOf(ImageDecoder.Decoded image) {
    int width = image.width();
    int height = image.height();
    int longer = Math.max(width, height);
    if (longer <= THUMBNAIL_SIDE) {
      return PngEncoder.encode(width, height, image.argb());
    }
    double scale = (double) THUMBNAIL_SIDE / longer;
    int toWidth = Math.clamp(Math.round(width * scale), 1, THUMBNAIL_SIDE);
    int toHeight = Math.clamp(Math.round(height * scale), 1, THUMBNAIL_SIDE);
    return PngEncoder.encode(toWidth, toHeight, shrink(image, toWidth, toHeight));
  }

  /**
   * An area average (box filter) of premultiplied ARGB: each target pixel is the mean of the source
   * area it covers, fractional edge pixels weighted by how much of them it covers. Two passes, rows
   * then columns.
   */
  static int[] shrink(ImageDecoder.Decoded image, int toWidth, int toHeight) {
    int width = image.width();
    int height = image.height();
    int[] argb = image.argb();
    // Pass 1: each row to toWidth columns; four premultiplied channels per pixel.
    double[] rows = new double[height * toWidth * 4];
    double[] px = new double[4];
    for (int y = 0; y < height; y++) {
      for (int tx = 0; tx < toWidth; tx++) {
        double from = (double) tx * width / toWidth;
        double to = (double) (tx + 1) * width / toWidth;
        java.util.Arrays.fill(px, 0);
        for (int x = (int) from; x < Math.min(width, (int) Math.ceil(to)); x++) {
          double weight = Math.min(to, x + 1) - Math.max(from, x);
          int p = argb[y * width + x];
          double a = (p >>> 24) / 255.0;
          px[0] += weight * a;
          px[1] += weight * a * ((p >>> 16) & 0xff);
          px[2] += weight * a * ((p >>> 8) & 0xff);
          px[3] += weight * a * (p & 0xff);
        }
        double span = to - from;
        int at = (y * toWidth + tx) * 4;
        for (int c = 0; c < 4; c++) {
          rows[at + c] = px[c] / span;
        }
      }
    }
    // Pass 2: each column to toHeight rows, then back to straight ARGB.
    int[] out = new int[toWidth * toHeight];
    for (int ty = 0; ty < toHeight; ty++) {
      double from = (double) ty * height / toHeight;
      double to = (double) (ty + 1) * height / toHeight;
      double span = to - from;
      for (int tx = 0; tx < toWidth; tx++) {
        java.util.Arrays.fill(px, 0);
        for (int y = (int) from; y < Math.min(height, (int) Math.ceil(to)); y++) {
          double weight = Math.min(to, y + 1) - Math.max(from, y);
          int at = (y * toWidth + tx) * 4;
          for (int c = 0; c < 4; c++) {
            px[c] += weight * rows[at + c];
          }
        }
        double a = px[0] / span;
        int alpha = channel(a * 255);
        int r = a > 0 ? channel(px[1] / span / a) : 0;
        int g = a > 0 ? channel(px[2] / span / a) : 0;
        int b = a > 0 ? channel(px[3] / span / a) : 0;
        out[ty * toWidth + tx] = alpha << 24 | r << 16 | g << 8 | b;
      }
    }
    return out;
  }

  private static int channel(double value) {
    return (int) Math.clamp(Math.round(value), 0, 255);
  }

  /** How many jobs' logs are kept now (for tests and metrics). */
  int jobCount() {
    lock.lock();
    try {
      return logs.size();
    } finally {
      lock.unlock();
    }
  }

  /** The job ids with a log, oldest first (for tests). */
  List<String> jobIds() {
    lock.lock();
    try {
      return List.copyOf(logs.keySet());
    } finally {
      lock.unlock();
    }
  }
}
