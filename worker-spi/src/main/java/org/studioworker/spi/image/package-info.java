/**
 * Image and container encoders for engines that make their pictures themselves: a lossless WebP
 * (VP8L) encoder, a PNG encoder and a RIFF container writer (WebP, WAV).
 *
 * <p>JDK types only ({@code java.util.zip} for PNG), like the rest of the plugin API: no {@code
 * java.desktop}, so an engine need not require AWT to write an image. Pixels are {@code int} arrays
 * of {@code 0xAARRGGBB}, row by row.
 */
package org.studioworker.spi.image;
