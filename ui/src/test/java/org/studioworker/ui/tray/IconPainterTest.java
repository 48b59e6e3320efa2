package org.studioworker.ui.tray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.studioworker.ui.tray.dbus.Pixmap;

final class IconPainterTest {
  @ParameterizedTest
  @EnumSource(Tray.Light.class)
  void paintsAnOpaqueLightOnATransparentSquare(Tray.Light light) {
    for (int size : IconPainter.SIZES) {
      BufferedImage image = IconPainter.paint(light, size);
      assertThat(image.getWidth()).isEqualTo(size);
      assertThat(image.getRGB(size / 2, size / 2)).isEqualTo(IconPainter.fill(light).getRGB());
      assertThat(image.getRGB(0, 0) >>> 24).as("corner alpha").isZero();
    }
  }

  @Test
  void pixmapIsArgbInNetworkByteOrder() {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    image.setRGB(0, 0, 0x80112233);
    image.setRGB(1, 0, 0xFFAABBCC);
    Pixmap pixmap = IconPainter.pixmap(image);
    assertThat(pixmap.width).isEqualTo(2);
    assertThat(pixmap.height).isEqualTo(1);
    assertThat(pixmap.data).containsExactly(0x80, 0x11, 0x22, 0x33, 0xFF, 0xAA, 0xBB, 0xCC);
  }

  @Test
  void coloursDifferPerLight() {
    assertThat(IconPainter.fill(Tray.Light.GREEN))
        .isNotEqualTo(IconPainter.fill(Tray.Light.AMBER))
        .isNotEqualTo(IconPainter.fill(Tray.Light.RED));
    assertThat(IconPainter.fill(Tray.Light.AMBER)).isNotEqualTo(IconPainter.fill(Tray.Light.RED));
  }

  @Test
  void refusesSizesNoPanelUses() {
    assertThatThrownBy(() -> IconPainter.paint(Tray.Light.GREEN, 4))
        .hasMessage("icon size must be 8..512 px, not 4");
    assertThatThrownBy(() -> new Pixmap(2, 2, new byte[3]))
        .hasMessage("a 2x2 pixmap needs 16 bytes, not 3");
  }
}
