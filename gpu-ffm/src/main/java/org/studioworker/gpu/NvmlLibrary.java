package org.studioworker.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The hand-written binding to {@code libnvidia-ml.so.1}: one {@link MethodHandle} per symbol,
 * resolved once when the library is bound.
 *
 * <p>Not thread-safe: the owner confines every call to its one native platform thread (a downcall
 * pins a virtual thread's carrier, and the scratch buffers are reused). Every call blocks for as
 * long as the driver takes. A non-zero status becomes an {@link NvmlException} that carries the
 * text of {@code nvmlErrorString}; an optional symbol the library lacks reads as {@link
 * NvmlStatus#FUNCTION_NOT_FOUND}, NVML's own word for it.
 */
final class NvmlLibrary implements AutoCloseable {
  /** {@code NVML_DEVICE_NAME_V2_BUFFER_SIZE}. */
  static final int NAME_BUFFER_SIZE = 96;

  /** {@code NVML_DEVICE_UUID_V2_BUFFER_SIZE}. */
  static final int UUID_BUFFER_SIZE = 96;

  /** {@code NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE}. */
  static final int DRIVER_VERSION_BUFFER_SIZE = 80;

  /** {@code NVML_TEMPERATURE_GPU}: the core sensor. */
  static final int TEMPERATURE_GPU = 0;

  /** {@code nvmlMemory_t}: total, free, used; "used" counts the driver's reserved memory. */
  static final StructLayout MEMORY_V1 =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("total"), JAVA_LONG.withName("free"), JAVA_LONG.withName("used"));

  /** {@code nvmlMemory_v2_t}: a version word, padding to 8, then four unsigned 64-bit counts. */
  static final StructLayout MEMORY_V2 =
      MemoryLayout.structLayout(
          JAVA_INT.withName("version"),
          MemoryLayout.paddingLayout(4),
          JAVA_LONG.withName("total"),
          JAVA_LONG.withName("reserved"),
          JAVA_LONG.withName("free"),
          JAVA_LONG.withName("used"));

  /** {@code NVML_STRUCT_VERSION(Memory, 2)}: sizeof (40) | 2 << 24 = 0x02000028. */
  static final int MEMORY_V2_VERSION = (int) MEMORY_V2.byteSize() | 2 << 24;

  /** {@code nvmlUtilization_t}: percentages over the last sample period. */
  static final StructLayout UTILIZATION =
      MemoryLayout.structLayout(JAVA_INT.withName("gpu"), JAVA_INT.withName("memory"));

  /** {@code nvmlTemperature_v1_t}: version, sensor type, temperature in °C. */
  static final StructLayout TEMPERATURE_V1 =
      MemoryLayout.structLayout(
          JAVA_INT.withName("version"),
          JAVA_INT.withName("sensorType"),
          JAVA_INT.withName("temperature"));

  /** {@code NVML_STRUCT_VERSION(Temperature, 1)}: sizeof (12) | 1 << 24 = 0x0100000C. */
  static final int TEMPERATURE_V1_VERSION = (int) TEMPERATURE_V1.byteSize() | 1 << 24;

  private static final long V1_TOTAL = offset(MEMORY_V1, "total");
  private static final long V1_FREE = offset(MEMORY_V1, "free");
  private static final long V1_USED = offset(MEMORY_V1, "used");
  private static final long V2_VERSION = offset(MEMORY_V2, "version");
  private static final long V2_TOTAL = offset(MEMORY_V2, "total");
  private static final long V2_RESERVED = offset(MEMORY_V2, "reserved");
  private static final long V2_FREE = offset(MEMORY_V2, "free");
  private static final long V2_USED = offset(MEMORY_V2, "used");
  private static final long UTIL_GPU = offset(UTILIZATION, "gpu");
  private static final long TEMP_VERSION = offset(TEMPERATURE_V1, "version");
  private static final long TEMP_SENSOR = offset(TEMPERATURE_V1, "sensorType");
  private static final long TEMP_VALUE = offset(TEMPERATURE_V1, "temperature");

  private static final FunctionDescriptor STATUS = FunctionDescriptor.of(JAVA_INT);
  private static final FunctionDescriptor STATUS_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS);
  private static final FunctionDescriptor STATUS_PTR_PTR =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
  private static final FunctionDescriptor STATUS_PTR_UINT =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
  private static final FunctionDescriptor STATUS_UINT_PTR =
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);
  private static final FunctionDescriptor STATUS_PTR_PTR_UINT =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
  private static final FunctionDescriptor STATUS_PTR_UINT_PTR =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);

  /** Owns the library handle and the scratch buffers; closing it unloads the library. */
  private final Arena arena;

  private final String location;
  private final Symbol init;
  private final Symbol shutdown;
  private final Symbol errorString;
  private final Symbol deviceCount;
  private final Symbol handleByIndex;
  private final Symbol name;
  private final @Nullable Symbol driverVersion;
  private final @Nullable Symbol uuid;
  private final @Nullable Symbol memoryV2;
  private final @Nullable Symbol memoryV1;
  private final @Nullable Symbol utilization;
  private final @Nullable Symbol temperatureV;
  private final @Nullable Symbol temperature;

  // Scratch buffers, reused by every call on the native thread. Text buffers are one byte longer
  // than NVML is told, and that byte stays 0, so a string always ends inside the buffer.
  private final MemorySegment handleOut;
  private final MemorySegment countOut;
  private final MemorySegment textOut;
  private final MemorySegment memoryV1Out;
  private final MemorySegment memoryV2Out;
  private final MemorySegment utilizationOut;
  private final MemorySegment temperatureOut;
  private final MemorySegment temperatureVOut;

  private NvmlLibrary(SymbolLookup lookup, Arena arena, String location) throws NvmlException {
    this.arena = arena;
    this.location = location;
    this.init = required(lookup, location, STATUS, "nvmlInit_v2", "nvmlInit");
    this.shutdown = required(lookup, location, STATUS, "nvmlShutdown");
    this.errorString =
        required(lookup, location, FunctionDescriptor.of(ADDRESS, JAVA_INT), "nvmlErrorString");
    this.deviceCount =
        required(lookup, location, STATUS_PTR, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
    this.handleByIndex =
        required(
            lookup,
            location,
            STATUS_UINT_PTR,
            "nvmlDeviceGetHandleByIndex_v2",
            "nvmlDeviceGetHandleByIndex");
    this.name = required(lookup, location, STATUS_PTR_PTR_UINT, "nvmlDeviceGetName");
    this.driverVersion = optional(lookup, STATUS_PTR_UINT, "nvmlSystemGetDriverVersion");
    this.uuid = optional(lookup, STATUS_PTR_PTR_UINT, "nvmlDeviceGetUUID");
    this.memoryV2 = optional(lookup, STATUS_PTR_PTR, "nvmlDeviceGetMemoryInfo_v2");
    this.memoryV1 = optional(lookup, STATUS_PTR_PTR, "nvmlDeviceGetMemoryInfo");
    if (memoryV2 == null && memoryV1 == null) {
      throw missing("nvmlDeviceGetMemoryInfo_v2 or nvmlDeviceGetMemoryInfo", location);
    }
    this.utilization = optional(lookup, STATUS_PTR_PTR, "nvmlDeviceGetUtilizationRates");
    this.temperatureV = optional(lookup, STATUS_PTR_PTR, "nvmlDeviceGetTemperatureV");
    this.temperature = optional(lookup, STATUS_PTR_UINT_PTR, "nvmlDeviceGetTemperature");

    this.handleOut = arena.allocate(ADDRESS);
    this.countOut = arena.allocate(JAVA_INT);
    this.textOut = arena.allocate(Math.max(NAME_BUFFER_SIZE, UUID_BUFFER_SIZE) + 1L);
    this.memoryV1Out = arena.allocate(MEMORY_V1);
    this.memoryV2Out = arena.allocate(MEMORY_V2);
    this.utilizationOut = arena.allocate(UTILIZATION);
    this.temperatureOut = arena.allocate(JAVA_INT);
    this.temperatureVOut = arena.allocate(TEMPERATURE_V1);
  }

  /**
   * Binds the NVML symbols of a loaded library.
   *
   * @param lookup the library's symbols
   * @param arena owns the library; this binding closes it in {@link #close()}
   * @param location where the library came from, for messages
   * @throws NvmlException with {@link NvmlStatus#FUNCTION_NOT_FOUND} when a required symbol is
   *     absent (the arena is then closed)
   */
  static NvmlLibrary bind(SymbolLookup lookup, Arena arena, String location) throws NvmlException {
    try {
      return new NvmlLibrary(lookup, arena, location);
    } catch (NvmlException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** Where the library was loaded from. */
  String location() {
    return location;
  }

  /** The symbol that initialises the library ({@code nvmlInit_v2}, or {@code nvmlInit}). */
  String initSymbol() {
    return init.name();
  }

  /** The symbol that reads memory ({@code nvmlDeviceGetMemoryInfo_v2} when present). */
  String memorySymbol() {
    return memoryV2 != null ? memoryV2.name() : requireSymbol(memoryV1).name();
  }

  /** {@code nvmlInit_v2}. */
  void init() throws NvmlException {
    check(init, call(init.handle()));
  }

  /** {@code nvmlShutdown}. */
  void shutdown() throws NvmlException {
    check(shutdown, call(shutdown.handle()));
  }

  /** {@code nvmlErrorString}: the library's text for a status. */
  @SuppressWarnings("restricted") // native access is granted to this module by the launcher
  String errorString(int code) {
    MemorySegment text;
    try {
      text = (MemorySegment) errorString.handle().invokeExact(code);
    } catch (Throwable t) {
      throw new IllegalStateException("nvmlErrorString could not be called", t);
    }
    if (text.equals(MemorySegment.NULL)) {
      return "no text for status " + code;
    }
    // The library returns a static C string; 256 bytes bounds the scan should one lack its 0.
    MemorySegment bounded = text.reinterpret(256);
    long end = 0;
    while (end < bounded.byteSize() && bounded.get(JAVA_BYTE, end) != 0) {
      end++;
    }
    return new String(bounded.asSlice(0, end).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }

  /** {@code nvmlSystemGetDriverVersion}. */
  String driverVersion() throws NvmlException {
    Symbol symbol = present(driverVersion, "nvmlSystemGetDriverVersion");
    int status;
    try {
      clearText();
      status = (int) symbol.handle().invokeExact(textOut, DRIVER_VERSION_BUFFER_SIZE);
    } catch (Throwable t) {
      throw uncallable(symbol, t);
    }
    check(symbol, status);
    return textOut.getString(0, StandardCharsets.UTF_8);
  }

  /** {@code nvmlDeviceGetCount_v2}. */
  int deviceCount() throws NvmlException {
    int status;
    try {
      status = (int) deviceCount.handle().invokeExact(countOut);
    } catch (Throwable t) {
      throw uncallable(deviceCount, t);
    }
    check(deviceCount, status);
    return countOut.get(JAVA_INT, 0);
  }

  /** {@code nvmlDeviceGetHandleByIndex_v2}: an opaque handle, valid until shutdown. */
  MemorySegment deviceHandle(int index) throws NvmlException {
    int status;
    try {
      status = (int) handleByIndex.handle().invokeExact(index, handleOut);
    } catch (Throwable t) {
      throw uncallable(handleByIndex, t);
    }
    check(handleByIndex, status);
    return handleOut.get(ADDRESS, 0);
  }

  /** {@code nvmlDeviceGetName}. */
  String name(MemorySegment device) throws NvmlException {
    return text(name, device, NAME_BUFFER_SIZE);
  }

  /** {@code nvmlDeviceGetUUID}. */
  String uuid(MemorySegment device) throws NvmlException {
    return text(present(uuid, "nvmlDeviceGetUUID"), device, UUID_BUFFER_SIZE);
  }

  /**
   * {@code nvmlDeviceGetMemoryInfo_v2}, or {@code nvmlDeviceGetMemoryInfo} when the library lacks
   * the first or refuses it for this device (not supported, or a version it does not know).
   */
  NvmlMemory memory(MemorySegment device) throws NvmlException {
    Symbol v2 = memoryV2;
    if (v2 != null) {
      memoryV2Out.set(JAVA_INT, V2_VERSION, MEMORY_V2_VERSION);
      int status;
      try {
        status = (int) v2.handle().invokeExact(device, memoryV2Out);
      } catch (Throwable t) {
        throw uncallable(v2, t);
      }
      if (status == NvmlStatus.SUCCESS.code) {
        return new NvmlMemory(
            memoryV2Out.get(JAVA_LONG, V2_TOTAL),
            memoryV2Out.get(JAVA_LONG, V2_RESERVED),
            memoryV2Out.get(JAVA_LONG, V2_FREE),
            memoryV2Out.get(JAVA_LONG, V2_USED),
            v2.name());
      }
      NvmlStatus refused = NvmlStatus.of(status);
      if (memoryV1 == null
          || (refused != NvmlStatus.NOT_SUPPORTED
              && refused != NvmlStatus.ARGUMENT_VERSION_MISMATCH
              && refused != NvmlStatus.FUNCTION_NOT_FOUND)) {
        check(v2, status);
      }
    }
    Symbol v1 = requireSymbol(memoryV1);
    int status;
    try {
      status = (int) v1.handle().invokeExact(device, memoryV1Out);
    } catch (Throwable t) {
      throw uncallable(v1, t);
    }
    check(v1, status);
    return new NvmlMemory(
        memoryV1Out.get(JAVA_LONG, V1_TOTAL),
        null,
        memoryV1Out.get(JAVA_LONG, V1_FREE),
        memoryV1Out.get(JAVA_LONG, V1_USED),
        v1.name());
  }

  /** {@code nvmlDeviceGetUtilizationRates}: the GPU's busy percentage. */
  int utilisationPercent(MemorySegment device) throws NvmlException {
    Symbol symbol = present(utilization, "nvmlDeviceGetUtilizationRates");
    int status;
    try {
      status = (int) symbol.handle().invokeExact(device, utilizationOut);
    } catch (Throwable t) {
      throw uncallable(symbol, t);
    }
    check(symbol, status);
    return utilizationOut.get(JAVA_INT, UTIL_GPU);
  }

  /**
   * The core temperature: {@code nvmlDeviceGetTemperatureV} when the library has it, else (or when
   * it refuses the struct version) {@code nvmlDeviceGetTemperature}.
   */
  int temperatureCelsius(MemorySegment device) throws NvmlException {
    Symbol versioned = temperatureV;
    if (versioned != null) {
      temperatureVOut.set(JAVA_INT, TEMP_VERSION, TEMPERATURE_V1_VERSION);
      temperatureVOut.set(JAVA_INT, TEMP_SENSOR, TEMPERATURE_GPU);
      int status;
      try {
        status = (int) versioned.handle().invokeExact(device, temperatureVOut);
      } catch (Throwable t) {
        throw uncallable(versioned, t);
      }
      if (status == NvmlStatus.SUCCESS.code) {
        return temperatureVOut.get(JAVA_INT, TEMP_VALUE);
      }
      if (temperature == null || NvmlStatus.of(status) != NvmlStatus.ARGUMENT_VERSION_MISMATCH) {
        check(versioned, status);
      }
    }
    Symbol classic = present(temperature, "nvmlDeviceGetTemperature");
    int status;
    try {
      status = (int) classic.handle().invokeExact(device, TEMPERATURE_GPU, temperatureOut);
    } catch (Throwable t) {
      throw uncallable(classic, t);
    }
    check(classic, status);
    return temperatureOut.get(JAVA_INT, 0);
  }

  /** Unloads the library. Call only once no call is in flight. Never throws. */
  @Override
  public void close() {
    try {
      arena.close();
    } catch (RuntimeException e) {
      // Already closed, or closed from a thread the arena refuses: nothing more to release.
    }
  }

  private String text(Symbol symbol, MemorySegment device, int size) throws NvmlException {
    int status;
    try {
      clearText();
      status = (int) symbol.handle().invokeExact(device, textOut, size);
    } catch (Throwable t) {
      throw uncallable(symbol, t);
    }
    check(symbol, status);
    return textOut.getString(0, StandardCharsets.UTF_8);
  }

  private void clearText() {
    textOut.fill((byte) 0);
  }

  private static int call(MethodHandle handle) {
    try {
      return (int) handle.invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException("NVML could not be called", t);
    }
  }

  private void check(Symbol symbol, int status) throws NvmlException {
    if (status != NvmlStatus.SUCCESS.code) {
      throw new NvmlException(symbol.name(), status, errorString(status));
    }
  }

  private Symbol present(@Nullable Symbol symbol, String name) throws NvmlException {
    if (symbol == null) {
      throw missing(name, location);
    }
    return symbol;
  }

  private static Symbol requireSymbol(@Nullable Symbol symbol) {
    if (symbol == null) {
      throw new IllegalStateException("a required NVML symbol was not bound");
    }
    return symbol;
  }

  private static IllegalStateException uncallable(Symbol symbol, Throwable t) {
    return new IllegalStateException(symbol.name() + " could not be called", t);
  }

  private static NvmlException missing(String name, String location) {
    return new NvmlException(
        name, NvmlStatus.FUNCTION_NOT_FOUND.code, "symbol not found in " + location);
  }

  private static Symbol required(
      SymbolLookup lookup, String location, FunctionDescriptor descriptor, String... names)
      throws NvmlException {
    Symbol symbol = optional(lookup, descriptor, names);
    if (symbol == null) {
      throw missing(String.join(" or ", names), location);
    }
    return symbol;
  }

  @SuppressWarnings("restricted") // native access is granted to this module by the launcher
  private static @Nullable Symbol optional(
      SymbolLookup lookup, FunctionDescriptor descriptor, String... names) {
    for (String candidate : names) {
      Optional<MemorySegment> address = lookup.find(candidate);
      if (address.isPresent()) {
        return new Symbol(
            candidate, Linker.nativeLinker().downcallHandle(address.get(), descriptor));
      }
    }
    return null;
  }

  private static long offset(StructLayout layout, String field) {
    return layout.byteOffset(PathElement.groupElement(field));
  }

  /** One resolved symbol: its name (for messages) and its downcall handle. */
  private record Symbol(String name, MethodHandle handle) {}

  /**
   * One memory reading, in bytes.
   *
   * @param reserved memory the driver keeps for itself; null from the v1 call, which counts it as
   *     used
   * @param function the NVML function that answered
   */
  record NvmlMemory(long total, @Nullable Long reserved, long free, long used, String function) {}
}
