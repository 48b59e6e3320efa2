package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.Task;

final class PatternPainterTest {
  private final InputHash hash = InputHash.of("synthetic", Task.Image.of("a lighthouse at dusk"));

  @Test
  void paintsAnOpaquePictureWithSeveralColours() throws InterruptedException {
    int[] pixels = new PatternPainter(hash, 64, 48).paint(0, Checkpoint.never());

    assertThat(pixels).hasSize(64 * 48);
    assertThat(Arrays.stream(pixels).allMatch(p -> p >>> 24 == 0xff)).isTrue();
    assertThat(Arrays.stream(pixels).distinct().count()).isGreaterThan(8);
  }

  @Test
  void animationLoopsBackToItsFirstFrame() throws InterruptedException {
    PatternPainter painter = new PatternPainter(hash, 40, 30);

    int[] start = painter.paint(0, Checkpoint.never());

    assertThat(painter.paint(0.5, Checkpoint.never())).isNotEqualTo(start);
    assertThat(painter.paint(1.0, Checkpoint.never())).isEqualTo(start);
  }

  @Test
  void samePaintingTwiceGivesTheSamePixels() throws InterruptedException {
    assertThat(new PatternPainter(hash, 17, 9).paint(0.25, Checkpoint.never()))
        .isEqualTo(new PatternPainter(hash, 17, 9).paint(0.25, Checkpoint.never()));
  }

  @Test
  void onePixelCanvasWorks() throws InterruptedException {
    assertThat(new PatternPainter(hash, 1, 1).paint(0, Checkpoint.never())).hasSize(1);
  }
}
