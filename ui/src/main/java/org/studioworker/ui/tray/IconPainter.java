package org.studioworker.ui.tray;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.studioworker.ui.tray.dbus.Pixmap;

/** Paints the tray's light: a filled circle with a darker rim, into a {@link BufferedImage}. */
final class IconPainter {
  /** The sizes offered to StatusNotifierItem hosts, which pick the nearest to their panel. */
  static final List<Integer> SIZES = List.of(22, 32, 64);

  private IconPainter() {}

  /** The fill colour of {@code light}, opaque; the centre pixel of every icon has it. */
  static Color fill(Tray.Light light) {
    return switch (light) {
      case GREEN -> new Color(0x2DA44E);
      case AMBER -> new Color(0xE3A008);
      case RED -> new Color(0xD1242F);
    };
  }

  /** A {@code size}×{@code size} icon of {@code light} on a transparent background. */
  static BufferedImage paint(Tray.Light light, int size) {
    if (size < 8 || size > 512) {
      throw new IllegalArgumentException("icon size must be 8..512 px, not " + size);
    }
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      // Why a margin of size/11: 2 px at 22 px, the padding panels' own symbolic icons keep.
      double margin = size / 11.0;
      double diameter = size - 2 * margin;
      Ellipse2D circle = new Ellipse2D.Double(margin, margin, diameter, diameter);
      Color fill = fill(light);
      g.setColor(fill);
      g.fill(circle);
      // A rim of size/16 (at least 1 px) keeps the light visible on a panel of the same hue.
      float rim = Math.max(1f, size / 16f);
      g.setStroke(new BasicStroke(rim));
      g.setColor(fill.darker());
      g.draw(
          new Ellipse2D.Double(margin + rim / 2, margin + rim / 2, diameter - rim, diameter - rim));
    } finally {
      g.dispose();
    }
    return image;
  }

  /** {@code image} as an SNI pixmap: ARGB32, each pixel as the bytes A, R, G, B. */
  static Pixmap pixmap(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    byte[] data = new byte[width * height * 4];
    int i = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int argb = image.getRGB(x, y);
        data[i++] = (byte) (argb >>> 24);
        data[i++] = (byte) (argb >>> 16);
        data[i++] = (byte) (argb >>> 8);
        data[i++] = (byte) argb;
      }
    }
    return new Pixmap(width, height, data);
  }

  /** The pixmaps of {@code light} in every size of {@link #SIZES}. */
  static List<Pixmap> pixmaps(Tray.Light light) {
    return SIZES.stream().map(size -> pixmap(paint(light, size))).toList();
  }
}
