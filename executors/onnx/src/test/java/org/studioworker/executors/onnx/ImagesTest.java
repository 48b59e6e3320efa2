package org.studioworker.executors.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.image.ImageDecoder;

/** The output in the format asked, PNG or WebP, and the inputs as RGB rasters. */
final class ImagesTest {
  @Test
  void theOutputIsPngOnlyWhenAskedAndOtherwiseLosslessWebp() throws Exception {
    Raster rgb = new Raster(3, 2, new int[] {0x102030, 0xFFFFFF, 0, 0x00FF00, 0xABCDEF, 1});
    JobResult.Binary png = Images.encode(rgb, "PNG");
    assertThat(png.ext()).isEqualTo("png");
    assertThat(ImageDecoder.Format.sniff(png.bytes())).isEqualTo(ImageDecoder.Format.PNG);
    assertThat(Images.decode("x", png.bytes()).pixels()).isEqualTo(rgb.pixels());
    for (String asked : new String[] {"webp", "jpg", "jpeg"}) {
      JobResult.Binary out = Images.encode(rgb, asked);
      assertThat(out.ext()).isEqualTo("webp");
      assertThat(ImageDecoder.Format.sniff(out.bytes())).isEqualTo(ImageDecoder.Format.WEBP);
      assertThat(Images.decode("x", out.bytes()).pixels()).isEqualTo(rgb.pixels());
    }
  }

  @Test
  void aJpegDecodesToRgbWithoutAlpha() throws Exception {
    Raster jpeg = Images.decode("initImageUrl", TestImages.jpeg(TestImages.pattern(40, 30), true));
    assertThat(jpeg.width()).isEqualTo(40);
    assertThat(java.util.Arrays.stream(jpeg.pixels())).allMatch(p -> (p & 0xFF000000) == 0);
  }
}
