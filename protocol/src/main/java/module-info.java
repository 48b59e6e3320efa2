/**
 * The wire contract {@code studio-worker-v1}: every frame as a record, and the one JSON codec.
 *
 * <p>Both ends use it: the worker runtime and the reference studio.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.protocol {
  requires static org.jspecify;
  requires transitive org.studioworker.spi;
  requires tools.jackson.databind;

  exports org.studioworker.protocol;
}
