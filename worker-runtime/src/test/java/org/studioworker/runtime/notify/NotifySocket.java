package org.studioworker.runtime.notify;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The systemd side of a notification, for tests: a Unix datagram socket bound to a path or an
 * abstract name, read with a timeout ({@code SO_RCVTIMEO}). Confined to the test's thread.
 */
final class NotifySocket implements AutoCloseable {
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int EAGAIN = 11;

  /** 64 KiB: larger than any datagram systemd would read (4 KiB). */
  private static final int BUFFER = 64 * 1024;

  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

  private static final MethodHandle SOCKET;
  private static final MethodHandle BIND;
  private static final MethodHandle SETSOCKOPT;
  private static final MethodHandle RECV;
  private static final MethodHandle CLOSE;

  static {
    Linker linker = Linker.nativeLinker();
    Linker.Option errno = Linker.Option.captureCallState("errno");
    SOCKET =
        handle(
            linker, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
    BIND =
        handle(linker, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
    SETSOCKOPT =
        handle(
            linker,
            "setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    RECV =
        handle(
            linker,
            "recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            errno);
    CLOSE = handle(linker, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private final Arena arena = Arena.ofConfined();
  private final MemorySegment state = arena.allocate(CALL_STATE);
  private final MemorySegment buffer = arena.allocate(BUFFER);
  private final MemorySegment timeval = arena.allocate(16);
  private final String address;
  private final @Nullable Path file;
  private final int fd;

  private NotifySocket(String address, @Nullable Path file) throws IOException {
    this.address = address;
    this.file = file;
    try {
      fd =
          (int)
              SOCKET.invokeExact(
                  state,
                  (int) UnixAddress.AF_UNIX,
                  UnixDatagrams.SOCK_DGRAM | UnixDatagrams.SOCK_CLOEXEC,
                  0);
      if (fd < 0) {
        throw failure("socket");
      }
      UnixAddress parsed = UnixAddress.parse(address);
      int bound = (int) BIND.invokeExact(state, fd, parsed.allocate(arena), parsed.length());
      if (bound != 0) {
        IOException e = failure("bind " + address);
        close();
        throw e;
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("the C library could not be called", t);
    }
  }

  /** A socket bound to the file {@code path}, removed again on close. */
  static NotifySocket atPath(Path path) throws IOException {
    return new NotifySocket(path.toAbsolutePath().toString(), path.toAbsolutePath());
  }

  /** A socket bound to the abstract name {@code @name}. */
  static NotifySocket abstractNamed(String name) throws IOException {
    return new NotifySocket("@" + name, null);
  }

  /** What {@code $NOTIFY_SOCKET} holds to reach this socket. */
  String address() {
    return address;
  }

  /**
   * The next datagram, as text.
   *
   * @return null when none arrived within {@code timeout}
   */
  @Nullable String receive(Duration timeout) throws IOException {
    timeval.set(JAVA_LONG, 0, timeout.toSeconds());
    timeval.set(JAVA_LONG, 8, Math.max(1, timeout.toNanosPart() / 1000));
    try {
      int set =
          (int)
              SETSOCKOPT.invokeExact(
                  state, fd, SOL_SOCKET, SO_RCVTIMEO, timeval, (int) timeval.byteSize());
      if (set != 0) {
        throw failure("setsockopt SO_RCVTIMEO");
      }
      long read = (long) RECV.invokeExact(state, fd, buffer, (long) BUFFER, 0);
      if (read < 0) {
        if ((int) ERRNO.get(state, 0L) == EAGAIN) {
          return null;
        }
        throw failure("recv");
      }
      return new String(buffer.asSlice(0, read).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("the C library could not be called", t);
    }
  }

  /** Closes the socket and removes its file. */
  @Override
  public void close() throws IOException {
    try {
      int unused = (int) CLOSE.invokeExact(fd);
    } catch (Throwable t) {
      throw new IOException("close failed", t);
    } finally {
      arena.close();
      if (file != null) {
        Files.deleteIfExists(file);
      }
    }
  }

  private IOException failure(String call) {
    int errno = (int) ERRNO.get(state, 0L);
    return new IOException(call + ": errno " + errno);
  }

  private static MethodHandle handle(
      Linker linker, String name, FunctionDescriptor descriptor, Linker.Option... options) {
    return linker.downcallHandle(
        linker.defaultLookup().find(name).orElseThrow(), descriptor, options);
  }
}
