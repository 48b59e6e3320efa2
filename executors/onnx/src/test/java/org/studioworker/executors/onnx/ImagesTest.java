package org.studioworker.executors.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;

/** Inputs decoded by their content whatever their URL says; outputs in the format asked. */
final class ImagesTest {
  @Test
  void pngAndBaselineAndProgressiveJpegDecode() throws Exception {
    var pattern = TestImages.pattern(40, 30);
    Raster png = Images.decode("maskUrl", TestImages.png(pattern));
    assertThat(png.width()).isEqualTo(40);
    assertThat(png.at(10, 7)).isEqualTo(pattern.getRGB(10, 7) & 0xFFFFFF);
    for (boolean progressive : new boolean[] {false, true}) {
      Raster jpeg = Images.decode("initImageUrl", TestImages.jpeg(pattern, progressive));
      assertThat(jpeg.width()).isEqualTo(40);
      assertThat(jpeg.height()).isEqualTo(30);
    }
  }

  @Test
  void lossyAndLosslessWebpDecode() throws Exception {
    byte[] lossy;
    try (InputStream in = ImagesTest.class.getResourceAsStream("/halves-lossy.webp")) {
      lossy = in.readAllBytes();
    }
    Raster halves = Images.decode("initImageUrl", lossy);
    assertThat(halves.width()).isEqualTo(48);
    assertThat(halves.height()).isEqualTo(32);
    // Left red, right blue, within the loss of the encoder.
    assertThat((halves.at(5, 16) >> 16) & 0xFF).isGreaterThan(150);
    assertThat(halves.at(43, 16) & 0xFF).isGreaterThan(150);

    Raster original = new Raster(3, 2, new int[] {0x102030, 0xFFFFFF, 0, 0x00FF00, 0xABCDEF, 1});
    JobResult.Binary webp = Images.encode(original, "webp");
    assertThat(webp.ext()).isEqualTo("webp");
    assertThat(Images.decode("initImageUrl", webp.bytes()).pixels()).isEqualTo(original.pixels());
  }

  @Test
  void theOutputIsPngOnlyWhenAskedAndOtherwiseWebp() throws Exception {
    Raster rgb = new Raster(2, 2, new int[] {1, 2, 3, 4});
    JobResult.Binary png = Images.encode(rgb, "PNG");
    assertThat(png.ext()).isEqualTo("png");
    assertThat(Images.Format.sniff(png.bytes())).isEqualTo(Images.Format.PNG);
    assertThat(Images.decode("x", png.bytes()).pixels()).containsExactly(1, 2, 3, 4);
    for (String asked : new String[] {"webp", "jpg", "jpeg"}) {
      JobResult.Binary out = Images.encode(rgb, asked);
      assertThat(out.ext()).isEqualTo("webp");
      assertThat(Images.Format.sniff(out.bytes())).isEqualTo(Images.Format.WEBP);
    }
  }

  @Test
  void aBrokenOrUnknownInputIsNamed() {
    assertThatThrownBy(() -> Images.decode("maskUrl", "GIF89a....".getBytes()))
        .isInstanceOf(ExecutorException.class)
        .hasMessage(
            "maskUrl is not a PNG, JPEG or WebP image (its first bytes are 4749463839612e2e)");
    byte[] truncated = java.util.Arrays.copyOf(TestImages.png(TestImages.pattern(40, 30)), 60);
    assertThatThrownBy(() -> Images.decode("initImageUrl", truncated))
        .isInstanceOf(ExecutorException.class)
        .hasMessageStartingWith("initImageUrl could not be decoded as png: ");
    byte[] riff = "RIFF\0\0\0\0WEBPVP8 junkjunk".getBytes();
    assertThatThrownBy(() -> Images.decode("initImageUrl", riff))
        .hasMessageStartingWith("initImageUrl could not be decoded as webp: ");
  }

  @Test
  void anImageOverTheLimitIsRefusedFromItsHeader() {
    // A PNG header that claims 20000×20000: refused before any pixel is inflated.
    byte[] png = TestImages.png(TestImages.pattern(2, 2));
    java.nio.ByteBuffer.wrap(png, 16, 8).putInt(20000).putInt(20000);
    assertThatThrownBy(() -> Images.decode("initImageUrl", png))
        .hasMessage("initImageUrl is 20000x20000, more than the limit of 64 megapixels");
  }
}
