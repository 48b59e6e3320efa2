package org.studioworker.executors.synthetic;

import java.io.ByteArrayOutputStream;
import org.studioworker.spi.image.RiffWriter;
import org.studioworker.spi.image.WebpLosslessEncoder;

/**
 * Writes an animated WebP: {@code RIFF WEBP} holding {@code VP8X}, {@code ANIM} and one {@code
 * ANMF} chunk per frame, each frame a full-canvas lossless ({@code VP8L}) image.
 *
 * <p>Frames are added one at a time, so only the encoded frames are held, never all the pixels. Not
 * thread-safe.
 */
final class AnimatedWebpWriter {
  /**
   * VP8X flag bits (byte 0, most significant first: 2 reserved, ICC, alpha, EXIF, XMP, anim, 1).
   */
  private static final int FLAG_ANIMATION = 0x02;

  private static final int FLAG_ALPHA = 0x10;

  /**
   * ANMF flag byte: 6 reserved bits, then B (bit 1) and D (bit 0). B = 1 "do not blend": each frame
   * replaces the canvas, which is right for full-canvas frames; D = 0 "do not dispose".
   */
  private static final int ANMF_DO_NOT_BLEND = 0x02;

  /** ANIM background colour, stored as blue, green, red, alpha bytes: opaque white. */
  private static final int BACKGROUND_BGRA = 0xFFFFFFFF;

  /** ANIM loop count 0 = loop forever. */
  private static final int LOOP_FOREVER = 0;

  private final int width;
  private final int height;
  private final int frameMillis;
  private final ByteArrayOutputStream frames = new ByteArrayOutputStream();
  private int frameCount;
  private boolean alphaUsed;

  /**
   * A writer for frames of {@code width x height} pixels shown {@code frameMillis} each.
   *
   * @param frameMillis 1..16 777 215 (24 bits)
   */
  AnimatedWebpWriter(int width, int height, int frameMillis) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("frame sides must be positive");
    }
    if (frameMillis < 1 || frameMillis >= 1 << 24) {
      throw new IllegalArgumentException("frame duration must fit 24 bits, got " + frameMillis);
    }
    this.width = width;
    this.height = height;
    this.frameMillis = frameMillis;
  }

  /** Encodes and appends one frame of {@code width * height} ARGB pixels. */
  void addFrame(int[] argb) {
    byte[] bitstream = WebpLosslessEncoder.encode(width, height, argb);
    for (int pixel : argb) {
      if (pixel >>> 24 != 0xff) {
        alphaUsed = true;
        break;
      }
    }
    ByteArrayOutputStream anmf = new ByteArrayOutputStream(bitstream.length + 32);
    // ANMF header, 16 bytes: X/2 and Y/2 (24 bits each), width-1, height-1, duration (24 bits
    // each), then the flag byte; the frame's own VP8L chunk follows.
    RiffWriter.writeInt24(anmf, 0);
    RiffWriter.writeInt24(anmf, 0);
    RiffWriter.writeInt24(anmf, width - 1);
    RiffWriter.writeInt24(anmf, height - 1);
    RiffWriter.writeInt24(anmf, frameMillis);
    anmf.write(ANMF_DO_NOT_BLEND);
    anmf.writeBytes(RiffWriter.chunkBytes("VP8L", bitstream));
    frames.writeBytes(RiffWriter.chunkBytes("ANMF", anmf.toByteArray()));
    frameCount++;
  }

  /** How many frames were added. */
  int frameCount() {
    return frameCount;
  }

  /** The whole file; at least one frame must have been added. */
  byte[] toByteArray() {
    if (frameCount == 0) {
      throw new IllegalStateException("an animation needs at least one frame");
    }
    // VP8X payload, 10 bytes: flags, 3 reserved bytes, canvas width-1 and height-1 (24 bits each).
    ByteArrayOutputStream vp8x = new ByteArrayOutputStream(10);
    vp8x.write(FLAG_ANIMATION | (alphaUsed ? FLAG_ALPHA : 0));
    vp8x.write(0);
    vp8x.write(0);
    vp8x.write(0);
    RiffWriter.writeInt24(vp8x, width - 1);
    RiffWriter.writeInt24(vp8x, height - 1);
    // ANIM payload, 6 bytes: background colour (4), loop count (2).
    ByteArrayOutputStream anim = new ByteArrayOutputStream(6);
    RiffWriter.writeInt32(anim, BACKGROUND_BGRA);
    RiffWriter.writeInt16(anim, LOOP_FOREVER);

    return new RiffWriter("WEBP")
        .chunk("VP8X", vp8x.toByteArray())
        .chunk("ANIM", anim.toByteArray())
        .raw(frames.toByteArray())
        .toByteArray();
  }
}
