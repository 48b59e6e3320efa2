package org.studioworker.runtime.presence;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The hand-written binding to {@code libX11.so.6} and {@code libXss.so.1}: one {@link MethodHandle}
 * per symbol, resolved once when the libraries are bound.
 *
 * <p>Not thread-safe: {@link X11IdleSource} confines every call to its one platform thread (a
 * downcall pins a virtual thread's carrier, and Xlib's display is not thread-safe unless
 * XInitThreads was called, which this binding never assumes).
 */
final class XScreenSaverLibrary {
  /**
   * {@code XScreenSaverInfo} on LP64: {@code Window window} (unsigned long, 8), {@code int state},
   * {@code int kind} (4 + 4, so no padding), then three {@code unsigned long}: 40 bytes.
   */
  static final StructLayout INFO =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("window"),
          JAVA_INT.withName("state"),
          JAVA_INT.withName("kind"),
          JAVA_LONG.withName("til_or_since"),
          JAVA_LONG.withName("idle"),
          JAVA_LONG.withName("eventMask"));

  /** The offset of {@code idle}, in milliseconds since the last input: 24. */
  static final long IDLE_OFFSET = INFO.byteOffset(PathElement.groupElement("idle"));

  private final MethodHandle openDisplay;
  private final MethodHandle closeDisplay;
  private final MethodHandle defaultRootWindow;
  private final MethodHandle free;
  private final MethodHandle queryExtension;
  private final MethodHandle allocInfo;
  private final MethodHandle queryInfo;

  /** {@code XSetIOErrorExitHandler} (libX11 1.7 and later), or null on an older libX11. */
  private final @Nullable MethodHandle setIoErrorExitHandler;

  /** The exit upcall that {@link #keepProcessOnIoError} installs; null without the symbol. */
  private final @Nullable MemorySegment ioErrorExit;

  /** {@code XSetIOErrorHandler}, used only together with the exit handler; else null. */
  private final @Nullable MethodHandle setIoErrorHandler;

  /** Displays whose connection broke: Xlib called the error handlers for them. */
  private static final Set<Long> LOST = ConcurrentHashMap.newKeySet();

  /** The displays this binding opened and still holds. */
  private static final Set<Long> OURS = ConcurrentHashMap.newKeySet();

  /** The process-wide I/O error handler ours replaced; set once, under the class lock. */
  private static volatile @Nullable MethodHandle previousIoHandler;

  private XScreenSaverLibrary(SymbolLookup x11, SymbolLookup xss) {
    Linker linker = Linker.nativeLinker();
    openDisplay = handle(linker, x11, "XOpenDisplay", FunctionDescriptor.of(ADDRESS, ADDRESS));
    closeDisplay = handle(linker, x11, "XCloseDisplay", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    defaultRootWindow =
        handle(linker, x11, "XDefaultRootWindow", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    free = handle(linker, x11, "XFree", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    queryExtension =
        handle(
            linker,
            xss,
            "XScreenSaverQueryExtension",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    allocInfo = handle(linker, xss, "XScreenSaverAllocInfo", FunctionDescriptor.of(ADDRESS));
    queryInfo =
        handle(
            linker,
            xss,
            "XScreenSaverQueryInfo",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    Optional<MemorySegment> exitHandler = x11.find("XSetIOErrorExitHandler");
    Optional<MemorySegment> ioHandler = x11.find("XSetIOErrorHandler");
    if (exitHandler.isPresent() && ioHandler.isPresent()) {
      setIoErrorExitHandler =
          linker.downcallHandle(
              exitHandler.get(), FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
      setIoErrorHandler =
          linker.downcallHandle(ioHandler.get(), FunctionDescriptor.of(ADDRESS, ADDRESS));
      ioErrorExit =
          upcall(
              linker,
              "onIoErrorExit",
              MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class),
              FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    } else {
      setIoErrorExitHandler = null;
      setIoErrorHandler = null;
      ioErrorExit = null;
    }
  }

  private static MemorySegment upcall(
      Linker linker, String name, MethodType type, FunctionDescriptor descriptor) {
    try {
      return linker.upcallStub(
          MethodHandles.lookup().findStatic(XScreenSaverLibrary.class, name, type),
          descriptor,
          Arena.global());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the X11 error upcall " + name + " cannot be made", e);
    }
  }

  /**
   * Why? Xlib's answer to a lost server connection is {@code exit(1)}: the worker would die with
   * the desktop session. Two handlers change that (libX11 1.7+): the process-wide I/O error handler
   * returns for our displays (its default exits before the exit handler is reached) and hands any
   * other display to the handler it replaced; the per-display exit handler then returns instead of
   * exiting, and the display is marked lost so that it is dropped and opened anew. Without the
   * symbols, the old behaviour stands; the log says so once.
   *
   * @return false when this libX11 cannot be told
   */
  boolean keepProcessOnIoError(MemorySegment display) {
    MethodHandle setExit = setIoErrorExitHandler;
    MethodHandle setIo = setIoErrorHandler;
    MemorySegment exitUpcall = ioErrorExit;
    if (setExit == null || setIo == null || exitUpcall == null) {
      return false;
    }
    try {
      synchronized (XScreenSaverLibrary.class) {
        if (previousIoHandler == null) {
          MemorySegment ours =
              upcall(
                  Linker.nativeLinker(),
                  "onIoError",
                  MethodType.methodType(int.class, MemorySegment.class),
                  FunctionDescriptor.of(JAVA_INT, ADDRESS));
          MemorySegment previous = (MemorySegment) setIo.invokeExact(ours);
          previousIoHandler =
              Linker.nativeLinker()
                  .downcallHandle(previous, FunctionDescriptor.of(JAVA_INT, ADDRESS));
        }
      }
      OURS.add(display.address());
      setExit.invokeExact(display, exitUpcall, MemorySegment.NULL);
      return true;
    } catch (Throwable t) {
      throw new IllegalStateException("XSetIOErrorExitHandler failed", t);
    }
  }

  /** Forgets {@code display}, closed or lost: its address may be reused by another. */
  static void forget(MemorySegment display) {
    OURS.remove(display.address());
    LOST.remove(display.address());
  }

  /** Whether Xlib reported the connection of {@code display} lost; clears the mark. */
  static boolean takeLost(MemorySegment display) {
    boolean lost = LOST.remove(display.address());
    if (lost) {
      OURS.remove(display.address());
    }
    return lost;
  }

  /** The I/O error upcall: ours are marked lost; others go to the handler before. Never throws. */
  private static int onIoError(MemorySegment display) {
    if (OURS.contains(display.address())) {
      LOST.add(display.address());
      return 0;
    }
    MethodHandle previous = previousIoHandler;
    if (previous == null) {
      return 0;
    }
    try {
      return (int) previous.invokeExact(display);
    } catch (Throwable t) {
      return 0;
    }
  }

  /** The exit upcall: runs on the thread in the Xlib call; must never throw. */
  private static void onIoErrorExit(MemorySegment display, MemorySegment userData) {
    LOST.add(display.address());
  }

  /** A library found, or why none was. */
  sealed interface Bound {}

  /** The libraries, bound. */
  record Found(XScreenSaverLibrary library) implements Bound {}

  /** A library or symbol is missing; the reason names which. */
  record Missing(String reason) implements Bound {}

  /** Binds the two libraries by name ({@code libX11.so.6}, {@code libXss.so.1}). Never throws. */
  static Bound bind(String x11Name, String xssName) {
    SymbolLookup x11;
    SymbolLookup xss;
    try {
      x11 = SymbolLookup.libraryLookup(x11Name, Arena.global());
    } catch (IllegalArgumentException e) {
      return new Missing(x11Name + " is not installed");
    }
    try {
      xss = SymbolLookup.libraryLookup(xssName, Arena.global());
    } catch (IllegalArgumentException e) {
      return new Missing(xssName + " is not installed");
    }
    try {
      return new Found(new XScreenSaverLibrary(x11, xss));
    } catch (IllegalStateException e) {
      return new Missing(String.valueOf(e.getMessage()));
    }
  }

  /** {@code XOpenDisplay(name)}: the display, or {@link MemorySegment#NULL}. */
  MemorySegment openDisplay(Arena arena, String name) {
    try {
      return (MemorySegment) openDisplay.invokeExact(arena.allocateFrom(name));
    } catch (Throwable t) {
      throw new IllegalStateException("XOpenDisplay failed", t);
    }
  }

  /** {@code XCloseDisplay(display)}. */
  void closeDisplay(MemorySegment display) {
    try {
      int ignored = (int) closeDisplay.invokeExact(display);
    } catch (Throwable t) {
      throw new IllegalStateException("XCloseDisplay failed", t);
    }
  }

  /** {@code XScreenSaverQueryExtension}: whether the server has the extension. */
  boolean hasExtension(Arena arena, MemorySegment display) {
    MemorySegment eventBase = arena.allocate(JAVA_INT);
    MemorySegment errorBase = arena.allocate(JAVA_INT);
    try {
      return (int) queryExtension.invokeExact(display, eventBase, errorBase) != 0;
    } catch (Throwable t) {
      throw new IllegalStateException("XScreenSaverQueryExtension failed", t);
    }
  }

  /** {@code XScreenSaverAllocInfo()}, to be given back with {@link #free}; or NULL. */
  MemorySegment allocInfo() {
    try {
      MemorySegment info = (MemorySegment) allocInfo.invokeExact();
      return info.equals(MemorySegment.NULL) ? info : info.reinterpret(INFO.byteSize());
    } catch (Throwable t) {
      throw new IllegalStateException("XScreenSaverAllocInfo failed", t);
    }
  }

  /**
   * {@code XScreenSaverQueryInfo(display, DefaultRootWindow(display), info)}: the idle time in
   * milliseconds, or -1 when the server refused.
   */
  long idleMillis(MemorySegment display, MemorySegment info) {
    try {
      long root = (long) defaultRootWindow.invokeExact(display);
      int status = (int) queryInfo.invokeExact(display, root, info);
      if (status == 0) {
        return -1;
      }
      // unsigned long: a negative long would be over 2^63 ms, which no server reports.
      return info.get(JAVA_LONG, IDLE_OFFSET);
    } catch (Throwable t) {
      throw new IllegalStateException("XScreenSaverQueryInfo failed", t);
    }
  }

  /** {@code XFree(pointer)}. */
  void free(MemorySegment pointer) {
    try {
      int ignored = (int) free.invokeExact(pointer);
    } catch (Throwable t) {
      throw new IllegalStateException("XFree failed", t);
    }
  }

  private static MethodHandle handle(
      Linker linker, SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
    Optional<MemorySegment> symbol = lookup.find(name);
    if (symbol.isEmpty()) {
      throw new IllegalStateException("the X11 libraries lack " + name);
    }
    return linker.downcallHandle(symbol.get(), descriptor);
  }
}
