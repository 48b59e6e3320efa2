package org.studioworker.executors.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The bilinear resize, crop, paste and luma of a raster. */
final class RasterTest {
  @Test
  void aFlatImageStaysFlatAtAnySize() {
    Raster flat = new Raster(7, 5, filled(35, 0x336699));
    for (int[] size : new int[][] {{512, 512}, {3, 2}, {1, 1}, {7, 5}, {100, 3}}) {
      assertThat(flat.resized(size[0], size[1], 3).pixels()).containsOnly(0x336699);
    }
  }

  @Test
  void upscalingInterpolatesBetweenNeighbours() {
    Raster two = new Raster(2, 1, new int[] {0, 200});
    int[] four = two.resized(4, 1, 1).pixels();
    assertThat(four).containsExactly(0, 50, 150, 200);
  }

  @Test
  void shrinkingAveragesEverySourcePixel() {
    // A 1-pixel stripe every 4 pixels survives a 4x shrink as a grey level, not as 0 or 255.
    int[] stripes = new int[16];
    for (int i = 0; i < 16; i += 4) {
      stripes[i] = 255;
    }
    int[] shrunk = new Raster(16, 1, stripes).resized(4, 1, 1).pixels();
    for (int value : shrunk) {
      assertThat(value).isBetween(30, 110);
    }
  }

  @Test
  void cropAndPasteAreInverse() {
    int[] p = new int[30];
    Arrays.setAll(p, i -> i);
    Raster r = new Raster(6, 5, p);
    Raster piece = r.crop(2, 1, 3, 2);
    assertThat(piece.pixels()).containsExactly(8, 9, 10, 14, 15, 16);
    assertThat(Raster.blank(6, 5).paste(piece, 2, 1).at(4, 2)).isEqualTo(16);
    assertThat(r.paste(piece, 2, 1).pixels()).isEqualTo(p);
  }

  @Test
  void lumaWeighsGreenMost() {
    Raster rgb = new Raster(4, 1, new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF});
    assertThat(rgb.luma().pixels()).containsExactly(54, 182, 18, 255);
  }

  private static int[] filled(int n, int value) {
    int[] p = new int[n];
    Arrays.fill(p, value);
    return p;
  }
}
