/**
 * The GPU inventory: which GPUs the machine has and how much memory each has free.
 *
 * <p>Read by the runtime for its capabilities and for admission of offers. NVML is called through
 * FFM, so the JVM must grant this module native access ({@code
 * --enable-native-access=org.studioworker.gpu}, which the launcher passes); the module grants
 * itself nothing.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.gpu {
  requires static org.jspecify;

  exports org.studioworker.gpu;
}
