/**
 * The reference studio: the studio side of the wire contract, in memory, on Jetty.
 *
 * <p>Tests embed it on port 0 through {@link org.studioworker.devstudio.DevStudio}; the demo runs
 * it standalone through {@link org.studioworker.devstudio.DevStudioMain}.
 */
@org.jspecify.annotations.NullMarked
module org.studioworker.devstudio {
  requires static org.jspecify;
  requires transitive org.studioworker.protocol;
  requires tools.jackson.databind;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.websocket.core.server;
  requires org.slf4j;

  exports org.studioworker.devstudio;
}
