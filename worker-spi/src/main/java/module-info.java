/**
 * The plugin API of studio-worker: the job model of the wire contract and the executor contract.
 *
 * <p>It needs only {@code java.base} (JSpecify annotations are compile-time only), so a plugin jar
 * brings no JSON or logging library of its own.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.spi {
  requires static org.jspecify;

  exports org.studioworker.spi;
  exports org.studioworker.spi.process;
  exports org.studioworker.spi.net;
}
