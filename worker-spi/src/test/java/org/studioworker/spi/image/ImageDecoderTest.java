package org.studioworker.spi.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.ExecutorException;

/** Inputs decoded by their content, whatever their URL says; bad ones named. */
final class ImageDecoderTest {
  private static BufferedImage pattern(int w, int h) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, ((x * 3) & 0xFF) << 16 | ((y * 5) & 0xFF) << 8 | ((x + y) & 0xFF));
      }
    }
    return image;
  }

  private static byte[] write(BufferedImage image, String format, boolean progressive)
      throws Exception {
    ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  @Test
  void pngAndBaselineAndProgressiveJpegDecode() throws Exception {
    BufferedImage pattern = pattern(40, 30);
    ImageDecoder.Decoded png = ImageDecoder.decode("maskUrl", write(pattern, "png", false));
    assertThat(png.width()).isEqualTo(40);
    assertThat(png.argb()[7 * 40 + 10]).isEqualTo(pattern.getRGB(10, 7));
    for (boolean progressive : new boolean[] {false, true}) {
      byte[] jpeg = write(pattern, "jpeg", progressive);
      assertThat(ImageDecoder.Format.sniff(jpeg)).isEqualTo(ImageDecoder.Format.JPEG);
      ImageDecoder.Decoded decoded = ImageDecoder.decode("initImageUrl", jpeg);
      assertThat(decoded.width()).isEqualTo(40);
      assertThat(decoded.height()).isEqualTo(30);
    }
  }

  @Test
  void lossyAndLosslessWebpDecode() throws Exception {
    byte[] lossy;
    try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/halves-lossy.webp")) {
      lossy = in.readAllBytes();
    }
    // 48×32, left half red, right half blue (made with cwebp -q 90).
    ImageDecoder.Decoded halves = ImageDecoder.decode("initImageUrl", lossy);
    assertThat(halves.width()).isEqualTo(48);
    assertThat(halves.height()).isEqualTo(32);
    assertThat((halves.argb()[16 * 48 + 5] >> 16) & 0xFF).isGreaterThan(150);
    assertThat(halves.argb()[16 * 48 + 43] & 0xFF).isGreaterThan(150);

    int[] argb = {0xFF102030, 0xFFFFFFFF, 0xFF000000, 0xFF00FF00, 0xFFABCDEF, 0xFF000001};
    byte[] lossless = WebpLosslessEncoder.encodeFile(3, 2, argb);
    assertThat(ImageDecoder.decode("initImageUrl", lossless).argb()).isEqualTo(argb);
  }

  @Test
  void aBrokenOrUnknownInputIsNamed() throws Exception {
    assertThatThrownBy(() -> ImageDecoder.decode("maskUrl", "GIF89a....".getBytes()))
        .isInstanceOf(ExecutorException.class)
        .hasMessage(
            "maskUrl is not a PNG, JPEG or WebP image (its first bytes are 4749463839612e2e)");
    byte[] truncated = Arrays.copyOf(write(pattern(40, 30), "png", false), 60);
    assertThatThrownBy(() -> ImageDecoder.decode("initImageUrl", truncated))
        .isInstanceOf(ExecutorException.class)
        .hasMessageStartingWith("initImageUrl could not be decoded as png: ");
    byte[] riff = "RIFF\0\0\0\0WEBPVP8 junkjunk".getBytes();
    assertThatThrownBy(() -> ImageDecoder.decode("initImageUrl", riff))
        .hasMessageStartingWith("initImageUrl could not be decoded as webp: ");
    assertThatThrownBy(() -> ImageDecoder.decode("initImageUrl", new byte[0]))
        .hasMessage("initImageUrl is not a PNG, JPEG or WebP image (its first bytes are none)");
  }

  @Test
  void anImageOverTheLimitIsRefusedFromItsHeader() throws Exception {
    // A PNG header that claims 20000×20000: refused before any pixel is inflated.
    byte[] png = write(pattern(2, 2), "png", false);
    ByteBuffer.wrap(png, 16, 8).putInt(20000).putInt(20000);
    assertThatThrownBy(() -> ImageDecoder.decode("initImageUrl", png))
        .hasMessage("initImageUrl is 20000x20000, more than the limit of 64 megapixels");
    // A caller's own lower limit: 5000×5000 is over 16 megapixels.
    ByteBuffer.wrap(png, 16, 8).putInt(5000).putInt(5000);
    assertThatThrownBy(() -> ImageDecoder.decode("the result", png, 16L << 20))
        .hasMessage("the result is 5000x5000, more than the limit of 16 megapixels");
  }
}
