package org.studioworker.runtime.update;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Unpacks a {@code .tar.gz} build: ustar, GNU long names and pax paths; regular files and folders
 * only (the build is packed with links dereferenced); Unix permission bits kept.
 *
 * <p>The first path component (the archive's top folder) is dropped. A path that is absolute or
 * climbs out of the target, a link, a device or any other entry type is refused. Not thread-safe;
 * blocks on the file system.
 */
final class TarGz {
  private static final int BLOCK = 512;

  /** Why 64 KiB? An extended header carries one long path; more is not a build. */
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private TarGz() {}

  /**
   * Unpacks {@code archive} into {@code target} (created if needed), dropping the top folder.
   *
   * @return the number of regular files written
   * @throws IOException on a malformed or unsafe archive, or a write failure
   */
  static int unpack(Path archive, Path target) throws IOException {
    Files.createDirectories(target);
    Path root = target.toAbsolutePath().normalize();
    int files = 0;
    try (InputStream in =
        new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 64 * 1024))) {
      byte[] header = new byte[BLOCK];
      @Nullable String longName = null;
      while (true) {
        if (!readBlock(in, header)) {
          throw new EOFException("the archive ends without its end marker");
        }
        if (isZero(header)) {
          return files;
        }
        if (!checksumMatches(header)) {
          throw new IOException("a tar header fails its checksum");
        }
        char type = (char) header[156];
        long size = octal(header, 124, 12);
        String name = longName != null ? longName : headerName(header);
        longName = null;
        switch (type) {
          case 'L' -> longName = cString(readData(in, size));
          case 'x' -> longName = paxPath(readData(in, size));
          case 'g' -> skip(in, size);
          case '5' -> {
            Path dir = resolve(root, name);
            if (dir != null) {
              Files.createDirectories(dir);
            }
          }
          case '0', '\0' -> {
            Path file = resolve(root, name);
            if (file == null) {
              skip(in, size);
              continue;
            }
            Path parent = file.getParent();
            if (parent != null) {
              Files.createDirectories(parent);
            }
            copy(in, file, size);
            Files.setPosixFilePermissions(file, permissions((int) octal(header, 100, 8)));
            files++;
          }
          default ->
              throw new IOException(
                  "the archive holds an entry of type '" + type + "' (" + name + "); refusing");
        }
      }
    }
  }

  /** The target path of an entry, or null for the top folder itself. */
  private static @Nullable Path resolve(Path root, String name) throws IOException {
    String trimmed = name;
    while (trimmed.startsWith("./")) {
      trimmed = trimmed.substring(2);
    }
    if (trimmed.startsWith("/") || trimmed.isEmpty()) {
      throw new IOException("the archive holds an absolute or empty path; refusing");
    }
    int slash = trimmed.indexOf('/');
    String inner = slash < 0 ? "" : trimmed.substring(slash + 1);
    if (inner.isEmpty() || inner.equals("/")) {
      return null;
    }
    Path resolved = root.resolve(inner).normalize();
    if (!resolved.startsWith(root) || resolved.equals(root)) {
      throw new IOException("the archive holds a path outside its folder; refusing");
    }
    return resolved;
  }

  private static String headerName(byte[] header) {
    String name = cString(header, 0, 100);
    boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    String prefix = ustar ? cString(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  /** The {@code path} record of a pax extended header ({@code "<len> path=<value>\n"}). */
  private static @Nullable String paxPath(byte[] data) throws IOException {
    int at = 0;
    @Nullable String path = null;
    while (at < data.length) {
      int space = indexOf(data, (byte) ' ', at);
      if (space < 0) {
        throw new IOException("a malformed pax header");
      }
      int length;
      try {
        length = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new IOException("a malformed pax header", e);
      }
      if (length <= space - at || at + length > data.length) {
        throw new IOException("a malformed pax header");
      }
      String record = new String(data, space + 1, at + length - space - 2, StandardCharsets.UTF_8);
      if (record.startsWith("path=")) {
        path = record.substring(5);
      }
      at += length;
    }
    return path;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    // The owner must be able to read and replace what it unpacked.
    set.add(PosixFilePermission.OWNER_READ);
    set.add(PosixFilePermission.OWNER_WRITE);
    return set;
  }

  private static void copy(InputStream in, Path file, long size) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      long left = size;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new EOFException("the archive ends inside a file");
        }
        out.write(buffer, 0, n);
        left -= n;
      }
    }
    skip(in, padding(size));
  }

  private static byte[] readData(InputStream in, long size) throws IOException {
    if (size < 0 || size > MAX_HEADER_BYTES) {
      throw new IOException("an extended tar header of " + size + " bytes; refusing");
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length != size) {
      throw new EOFException("the archive ends inside a header");
    }
    skip(in, padding(size));
    return data;
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static void skip(InputStream in, long count) throws IOException {
    long left = count;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("the archive ends early");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private static boolean readBlock(InputStream in, byte[] block) throws IOException {
    return in.readNBytes(block, 0, BLOCK) == BLOCK;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean checksumMatches(byte[] header) throws IOException {
    long stored = octal(header, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
    }
    return sum == stored;
  }

  private static long octal(byte[] header, int offset, int length) throws IOException {
    long value = 0;
    int end = offset + length;
    int i = offset;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    for (; i < end && header[i] >= '0' && header[i] <= '7'; i++) {
      value = value * 8 + (header[i] - '0');
    }
    if (i < end && header[i] != ' ' && header[i] != 0) {
      throw new IOException("a tar header holds a malformed number");
    }
    return value;
  }

  private static String cString(byte[] data) {
    return cString(data, 0, data.length);
  }

  private static String cString(byte[] data, int offset, int length) {
    int end = offset;
    while (end < offset + length && data[end] != 0) {
      end++;
    }
    return new String(data, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] data, byte wanted, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == wanted) {
        return i;
      }
    }
    return -1;
  }
}
