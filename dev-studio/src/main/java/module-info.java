/**
 * The reference studio: the studio side of the wire contract, in memory, on Jetty.
 *
 * <p>Tests embed it on port 0; the demo and {@code ./studio-worker dev-studio} run it standalone.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.devstudio {
  requires static org.jspecify;
  requires org.studioworker.protocol;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.websocket.core.server;
  requires org.slf4j;

  exports org.studioworker.devstudio;
}
