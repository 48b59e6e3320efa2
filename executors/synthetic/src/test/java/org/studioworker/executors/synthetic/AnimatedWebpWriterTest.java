package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.image.RiffWriter;

final class AnimatedWebpWriterTest {

  @Test
  void writesVp8xAnimAndOneAnmfChunkPerFrame() {
    AnimatedWebpWriter writer = new AnimatedWebpWriter(5, 3, 125);
    int[][] frames = frames(5, 3, 4);
    for (int[] frame : frames) {
      writer.addFrame(frame);
    }

    List<RiffChunks.Chunk> chunks = RiffChunks.parseFile(writer.toByteArray(), "WEBP");

    assertThat(chunks)
        .extracting(RiffChunks.Chunk::id)
        .containsExactly("VP8X", "ANIM", "ANMF", "ANMF", "ANMF", "ANMF");
    byte[] vp8x = chunks.get(0).payload();
    assertThat(vp8x).hasSize(10);
    assertThat(vp8x[0]).as("flags: animation only").isEqualTo((byte) 0x02);
    assertThat(RiffChunks.int24(vp8x, 4)).as("canvas width - 1").isEqualTo(4);
    assertThat(RiffChunks.int24(vp8x, 7)).as("canvas height - 1").isEqualTo(2);
    assertThat(chunks.get(1).littleEndian().getShort(4)).as("loop forever").isZero();
    for (int i = 0; i < frames.length; i++) {
      byte[] anmf = chunks.get(2 + i).payload();
      assertThat(RiffChunks.int24(anmf, 0)).as("x / 2").isZero();
      assertThat(RiffChunks.int24(anmf, 3)).as("y / 2").isZero();
      assertThat(RiffChunks.int24(anmf, 6)).as("width - 1").isEqualTo(4);
      assertThat(RiffChunks.int24(anmf, 9)).as("height - 1").isEqualTo(2);
      assertThat(RiffChunks.int24(anmf, 12)).as("duration ms").isEqualTo(125);
      assertThat(anmf[15]).as("do not blend, do not dispose").isEqualTo((byte) 0x02);
      List<RiffChunks.Chunk> inner =
          RiffChunks.parseChunks(Arrays.copyOfRange(anmf, 16, anmf.length));
      assertThat(inner).extracting(RiffChunks.Chunk::id).containsExactly("VP8L");
      byte[] still = new RiffWriter("WEBP").chunk("VP8L", inner.get(0).payload()).toByteArray();
      assertThat(Decoders.argb(Decoders.image(still, "webp")))
          .as("frame %d", i)
          .containsExactly(frames[i]);
    }
  }

  @Test
  void independentDecoderReadsEveryFrameOfTheAnimation() throws Exception {
    AnimatedWebpWriter writer = new AnimatedWebpWriter(6, 4, 100);
    int[][] frames = frames(6, 4, 3);
    for (int[] frame : frames) {
      writer.addFrame(frame);
    }

    ImageReader reader = Decoders.reader("webp");
    try (ImageInputStream in =
        ImageIO.createImageInputStream(new ByteArrayInputStream(writer.toByteArray()))) {
      reader.setInput(in);
      assertThat(reader.getNumImages(true)).isEqualTo(3);
      for (int i = 0; i < frames.length; i++) {
        BufferedImage frame = reader.read(i);
        assertThat(frame.getWidth()).isEqualTo(6);
        assertThat(frame.getHeight()).isEqualTo(4);
        assertThat(Decoders.argb(frame)).as("frame %d", i).containsExactly(frames[i]);
      }
    } finally {
      reader.dispose();
    }
  }

  @Test
  void translucentFrameSetsTheAlphaFlag() {
    AnimatedWebpWriter writer = new AnimatedWebpWriter(1, 1, 40);
    writer.addFrame(new int[] {0x80FFFFFF});

    byte[] vp8x = RiffChunks.parseFile(writer.toByteArray(), "WEBP").get(0).payload();

    assertThat(vp8x[0]).isEqualTo((byte) (0x02 | 0x10));
  }

  /** Distinct opaque frames: a moving diagonal band over a fixed background. */
  private static int[][] frames(int width, int height, int count) {
    int[][] frames = new int[count][width * height];
    for (int f = 0; f < count; f++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          boolean band = (x + y + f) % 3 == 0;
          frames[f][y * width + x] = band ? 0xFFE0A020 : 0xFF203040 + x * 16 + y;
        }
      }
    }
    return frames;
  }
}
