package org.studioworker.runtime.notify;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

/**
 * A Unix socket address as {@code $NOTIFY_SOCKET} names it: a filesystem path ({@code
 * /run/systemd/notify}) or an abstract name ({@code @name}, a leading NUL byte in {@code
 * sun_path}).
 *
 * <p>Immutable.
 */
final class UnixAddress {
  /** {@code AF_UNIX}, the same on every Linux architecture. */
  static final short AF_UNIX = 1;

  /** {@code sizeof(((struct sockaddr_un *) 0)->sun_path)} on Linux. */
  static final int SUN_PATH_SIZE = 108;

  /**
   * The longest name, in bytes: a path needs its terminating NUL inside {@code sun_path}, an
   * abstract name its leading one (systemd's own limits).
   */
  static final int MAX_NAME_BYTES = SUN_PATH_SIZE - 1;

  /** {@code struct sockaddr_un}: {@code sa_family_t} (an unsigned 16-bit word), then the path. */
  static final StructLayout SOCKADDR_UN =
      MemoryLayout.structLayout(
          JAVA_SHORT.withName("sun_family"),
          MemoryLayout.sequenceLayout(SUN_PATH_SIZE, JAVA_BYTE).withName("sun_path"));

  private static final long SUN_FAMILY =
      SOCKADDR_UN.byteOffset(PathElement.groupElement("sun_family"));
  private static final long SUN_PATH = SOCKADDR_UN.byteOffset(PathElement.groupElement("sun_path"));

  private final String text;

  /**
   * What goes into {@code sun_path}: the NUL that ends a path or starts an abstract name included.
   */
  private final byte[] path;

  private UnixAddress(String text, byte[] path) {
    this.text = text;
    this.path = path;
  }

  /**
   * Reads {@code $NOTIFY_SOCKET}.
   *
   * @throws IllegalArgumentException with the reason, in words, when the value is neither an
   *     absolute path nor an abstract name, or does not fit into {@code sun_path}
   */
  static UnixAddress parse(String value) {
    boolean isAbstract = value.startsWith("@");
    if (!isAbstract && !value.startsWith("/")) {
      throw new IllegalArgumentException(
          "it is neither an absolute path nor an abstract socket name (@name)");
    }
    byte[] name = (isAbstract ? value.substring(1) : value).getBytes(StandardCharsets.UTF_8);
    if (isAbstract && name.length == 0) {
      throw new IllegalArgumentException("the abstract socket name after @ is empty");
    }
    if (name.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "it is "
              + name.length
              + " bytes long, and a Unix socket address holds at most "
              + MAX_NAME_BYTES);
    }
    byte[] path = new byte[name.length + 1];
    // An abstract name starts with NUL; a path ends with one. The array starts out all zero.
    System.arraycopy(name, 0, path, isAbstract ? 1 : 0, name.length);
    return new UnixAddress(value, path);
  }

  /** Whether this is an abstract name (no file behind it). */
  boolean isAbstract() {
    return path[0] == 0;
  }

  /**
   * The {@code socklen_t} to pass with the address: the family and the bytes of {@code sun_path} in
   * use, as systemd counts them (an abstract name's length is exact, with no trailing NUL).
   */
  int length() {
    return (int) SUN_PATH + path.length;
  }

  /** A {@code struct sockaddr_un} for this address, allocated in {@code arena}. */
  MemorySegment allocate(Arena arena) {
    MemorySegment address = arena.allocate(SOCKADDR_UN);
    address.set(JAVA_SHORT, SUN_FAMILY, AF_UNIX);
    MemorySegment.copy(path, 0, address, JAVA_BYTE, SUN_PATH, path.length);
    return address;
  }

  /** The address as {@code $NOTIFY_SOCKET} spelled it. */
  @Override
  public String toString() {
    return text;
  }
}
