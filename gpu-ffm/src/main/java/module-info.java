/**
 * The GPU inventory: which GPUs the machine has and how much memory each has free.
 *
 * <p>Read by the runtime for its capabilities and for admission of offers.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.gpu {
  requires static org.jspecify;

  exports org.studioworker.gpu;
}
