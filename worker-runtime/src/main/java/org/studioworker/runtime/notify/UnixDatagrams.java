package org.studioworker.runtime.notify;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The C library's datagram calls, bound through FFM: {@code socket}, {@code sendto}, {@code close},
 * and {@code strerror} for the messages. One {@link MethodHandle} per symbol, resolved once.
 *
 * <p>Linux on x86-64 and aarch64 only: the constants below are those of both (the generic {@code
 * asm} headers), and {@code size_t}/{@code ssize_t} are 64 bits wide there. Thread-safe: every call
 * allocates its own memory and socket. A send never blocks ({@code MSG_DONTWAIT}).
 */
final class UnixDatagrams {
  static final int SOCK_DGRAM = 2;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int MSG_DONTWAIT = 0x40;
  static final int MSG_NOSIGNAL = 0x4000;

  private static final Set<String> ARCHITECTURES = Set.of("amd64", "x86_64", "aarch64");

  /** Where {@code errno} lands after each call, read before any other native call can touch it. */
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();

  private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

  private final MethodHandle socket;
  private final MethodHandle sendto;
  private final MethodHandle close;
  private final MethodHandle strerror;

  private UnixDatagrams(Linker linker, SymbolLookup libc) {
    Linker.Option errno = Linker.Option.captureCallState("errno");
    this.socket =
        handle(
            linker,
            libc,
            "socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            errno);
    // ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
    // socklen_t tolen)
    this.sendto =
        handle(
            linker,
            libc,
            "sendto",
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    this.close = handle(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    this.strerror = handle(linker, libc, "strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
  }

  /**
   * Binds the calls.
   *
   * @throws UnsupportedOperationException with the reason, in words, on another OS or architecture,
   *     or when the JVM does not grant this module native access (binding then would print the
   *     JVM's own warning, or fail, instead of ours)
   */
  static UnixDatagrams bind() {
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.equals("Linux") || !ARCHITECTURES.contains(arch)) {
      throw new UnsupportedOperationException(
          "systemd notifications are implemented for Linux on x86-64 and aarch64, not "
              + os
              + " on "
              + arch);
    }
    Module module = UnixDatagrams.class.getModule();
    if (!module.isNativeAccessEnabled()) {
      throw new UnsupportedOperationException(
          "the JVM does not grant "
              + module.getName()
              + " native access; it needs --enable-native-access="
              + module.getName());
    }
    Linker linker = Linker.nativeLinker();
    return new UnixDatagrams(linker, linker.defaultLookup());
  }

  /**
   * Sends one datagram to {@code to} from a fresh socket, then closes it.
   *
   * @return null when the whole datagram went out, else what failed, in words
   */
  @Nullable String send(UnixAddress to, byte[] payload) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd =
          (int) socket.invokeExact(state, (int) UnixAddress.AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        return "socket(AF_UNIX, SOCK_DGRAM): " + describe(state);
      }
      try {
        MemorySegment message = arena.allocate(Math.max(1, payload.length));
        MemorySegment.copy(payload, 0, message, JAVA_BYTE, 0, payload.length);
        long sent =
            (long)
                sendto.invokeExact(
                    state,
                    fd,
                    message,
                    (long) payload.length,
                    MSG_DONTWAIT | MSG_NOSIGNAL,
                    to.allocate(arena),
                    to.length());
        if (sent < 0) {
          return "sendto " + to + ": " + describe(state);
        }
        if (sent != payload.length) {
          return "sendto " + to + " sent " + sent + " of " + payload.length + " bytes";
        }
        return null;
      } finally {
        // A failed close loses nothing: the datagram was queued or refused already.
        int unused = (int) close.invokeExact(fd);
      }
    } catch (Throwable t) {
      return "the C library could not be called: " + t;
    }
  }

  /** {@code strerror(errno)} and the number, read from a call's captured state. */
  String describe(MemorySegment state) {
    int errno = (int) ERRNO.get(state, 0L);
    return errorText(errno) + " (errno " + errno + ")";
  }

  /** {@code strerror}: the C library's text for an error number. */
  String errorText(int errno) {
    try {
      MemorySegment text = (MemorySegment) strerror.invokeExact(errno);
      if (text.equals(MemorySegment.NULL)) {
        return "error";
      }
      // glibc returns a static string; 256 bytes bounds the scan should one lack its NUL.
      MemorySegment bounded = reinterpret(text, 256);
      long end = 0;
      while (end < bounded.byteSize() && bounded.get(JAVA_BYTE, end) != 0) {
        end++;
      }
      return new String(bounded.asSlice(0, end).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    } catch (Throwable t) {
      return "error";
    }
  }

  @SuppressWarnings("restricted") // bind() checked that this module has native access
  private static MemorySegment reinterpret(MemorySegment text, long size) {
    return text.reinterpret(size);
  }

  @SuppressWarnings("restricted") // bind() checked that this module has native access
  private static MethodHandle handle(
      Linker linker,
      SymbolLookup libc,
      String name,
      FunctionDescriptor descriptor,
      Linker.Option... options) {
    MemorySegment symbol =
        libc.find(name)
            .orElseThrow(() -> new UnsupportedOperationException("the C library has no " + name));
    return linker.downcallHandle(symbol, descriptor, options);
  }
}
