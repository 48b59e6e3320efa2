package org.studioworker.gpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fake {@code libnvidia-ml.so.1} of {@code src/test/c/fake_nvml.c}: compiled with gcc into a
 * folder, then steered through its exported {@code fake_*} functions over FFM.
 *
 * <p>The binding under test opens the same file, so it sees the state these setters change. One
 * instance per compiled file; not thread-safe.
 */
final class FakeNvml implements AutoCloseable {
  static final int NOT_SUPPORTED = 3;
  static final int DRIVER_NOT_LOADED = 9;
  static final int ARGUMENT_VERSION_MISMATCH = 25;
  static final int UNKNOWN = 999;

  static final long GIB = 1L << 30;
  static final long MIB = 1L << 20;

  /** Why a test skips when the compiler is missing. */
  static final String NO_GCC =
      "gcc is not on the PATH: the fake libnvidia-ml.so.1 is compiled by the test with gcc";

  private static final Linker LINKER = Linker.nativeLinker();
  private static final int GCC_WAIT_SECONDS = 60;

  private final Path library;
  private final Arena arena;
  private final MethodHandle reset;
  private final MethodHandle setInitResult;
  private final MethodHandle setUtilizationResult;
  private final MethodHandle setTemperatureResult;
  private final MethodHandle setMemoryV2Result;
  private final MethodHandle setFree;
  private final MethodHandle initCalls;
  private final MethodHandle initDepth;
  private final MethodHandle shutdownCalls;
  private final MethodHandle threadCount;
  private final MethodHandle memoryCalls;

  @SuppressWarnings("restricted") // surefire grants this module native access
  private FakeNvml(Path library) {
    this.library = library;
    this.arena = Arena.ofShared();
    SymbolLookup lookup = SymbolLookup.libraryLookup(library, arena);
    FunctionDescriptor setter = FunctionDescriptor.ofVoid(JAVA_INT);
    FunctionDescriptor counter = FunctionDescriptor.of(JAVA_INT);
    this.reset = handle(lookup, "fake_reset", FunctionDescriptor.ofVoid());
    this.setInitResult = handle(lookup, "fake_set_init_result", setter);
    this.setUtilizationResult = handle(lookup, "fake_set_utilization_result", setter);
    this.setTemperatureResult = handle(lookup, "fake_set_temperature_result", setter);
    this.setMemoryV2Result = handle(lookup, "fake_set_memory_v2_result", setter);
    this.setFree = handle(lookup, "fake_set_free", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_LONG));
    this.initCalls = handle(lookup, "fake_init_calls", counter);
    this.initDepth = handle(lookup, "fake_init_depth", counter);
    this.shutdownCalls = handle(lookup, "fake_shutdown_calls", counter);
    this.threadCount = handle(lookup, "fake_thread_count", counter);
    this.memoryCalls = handle(lookup, "fake_memory_calls", FunctionDescriptor.of(JAVA_LONG));
    reset();
  }

  /** Compiles the fake into {@code dir/libnvidia-ml.so.1} and opens it. */
  static FakeNvml build(Path dir, boolean legacy) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path source = dir.resolve("fake_nvml.c");
    try (InputStream in = FakeNvml.class.getResourceAsStream("/fake_nvml.c")) {
      if (in == null) {
        throw new IOException("fake_nvml.c is not on the test class path");
      }
      Files.write(source, in.readAllBytes());
    }
    Path library = dir.resolve("libnvidia-ml.so.1");
    List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-O2", "-Wall"));
    if (legacy) {
      command.add("-DFAKE_LEGACY");
    }
    command.addAll(List.of("-o", library.toString(), source.toString()));
    compile(command);
    return new FakeNvml(library);
  }

  /** Compiles a shared library from C text; for libraries that are not NVML at all. */
  static Path compileOther(Path dir, String name, String cSource)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path source = Files.writeString(dir.resolve(name + ".c"), cSource, StandardCharsets.UTF_8);
    Path library = dir.resolve(name);
    compile(List.of("gcc", "-shared", "-fPIC", "-o", library.toString(), source.toString()));
    return library;
  }

  /** Whether gcc runs here. */
  static boolean gccAvailable() {
    try {
      Process gcc = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
      gcc.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return gcc.waitFor(GCC_WAIT_SECONDS, TimeUnit.SECONDS) && gcc.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void compile(List<String> command) throws IOException, InterruptedException {
    Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gcc.waitFor(GCC_WAIT_SECONDS, TimeUnit.SECONDS)) {
      gcc.destroyForcibly();
      throw new IOException("gcc did not finish in " + GCC_WAIT_SECONDS + " s: " + command);
    }
    if (gcc.exitValue() != 0) {
      throw new IOException("gcc failed (" + gcc.exitValue() + "): " + command + "\n" + output);
    }
  }

  @SuppressWarnings("restricted")
  private static MethodHandle handle(
      SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(lookup.findOrThrow(name), descriptor);
  }

  Path library() {
    return library;
  }

  /** Two GPUs: 24 GiB (512 MiB reserved, 20 GiB free) and 8 GiB (256 MiB reserved, 6 GiB free). */
  void reset() {
    invoke(
        () -> {
          reset.invokeExact();
        });
  }

  void setInitResult(int status) {
    invoke(
        () -> {
          setInitResult.invokeExact(status);
        });
  }

  void setUtilizationResult(int status) {
    invoke(
        () -> {
          setUtilizationResult.invokeExact(status);
        });
  }

  void setTemperatureResult(int status) {
    invoke(
        () -> {
          setTemperatureResult.invokeExact(status);
        });
  }

  void setMemoryV2Result(int status) {
    invoke(
        () -> {
          setMemoryV2Result.invokeExact(status);
        });
  }

  void setFree(int index, long bytes) {
    invoke(
        () -> {
          setFree.invokeExact(index, bytes);
        });
  }

  int initCalls() {
    return count(initCalls);
  }

  /** Inits not yet undone by a shutdown. */
  int initDepth() {
    return count(initDepth);
  }

  int shutdownCalls() {
    return count(shutdownCalls);
  }

  /** How many distinct threads have called an NVML function since the last reset. */
  int threadCount() {
    return count(threadCount);
  }

  long memoryCalls() {
    try {
      return (long) memoryCalls.invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  @Override
  public void close() {
    arena.close();
  }

  private static int count(MethodHandle handle) {
    try {
      return (int) handle.invokeExact();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  private static void invoke(NativeCall call) {
    try {
      call.run();
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  @FunctionalInterface
  private interface NativeCall {
    void run() throws Throwable;
  }
}
