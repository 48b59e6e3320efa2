package org.studioworker.devstudio;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each session upgrade: 401 for an unknown worker or a bad or missing bearer token, 400
 * when the client does not offer the subprotocol {@value #SUBPROTOCOL}; otherwise echoes the
 * subprotocol and hands the socket to a new {@link WorkerSocket}.
 *
 * <p>Thread-safe.
 */
final class ConnectNegotiator implements WebSocketNegotiator {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectNegotiator.class);

  /** The subprotocol of the contract. */
  static final String SUBPROTOCOL = "studio-worker-v1";

  /** The path of the upgrade, as a Jetty path spec and as a pattern with the worker id. */
  static final String PATH_SPEC = "^" + WorkerRoutes.PREFIX + "/[^/]+/connect$";

  private static final Pattern PATH = Pattern.compile(WorkerRoutes.PREFIX + "/([^/]+)/connect");

  private final Registrations registrations;
  private final SessionHub hub;

  ConnectNegotiator(Registrations registrations, SessionHub hub) {
    this.registrations = registrations;
    this.hub = hub;
  }

  @Override
  public @Nullable FrameHandler negotiate(
      ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
    Matcher matcher = PATH.matcher(Request.getPathInContext(request));
    if (!matcher.matches()) {
      Response.writeError(request, response, callback, 404);
      return null;
    }
    String workerId = matcher.group(1);
    String token = Secrets.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION));
    if (!registrations.authenticate(workerId, token)) {
      LOG.warn(
          "refused the session of worker {}: {}",
          workerId,
          token == null ? "no bearer token" : "unknown worker or wrong token");
      Response.writeError(request, response, callback, 401, "bad or missing worker token");
      return null;
    }
    if (!request.hasSubProtocol(SUBPROTOCOL)) {
      LOG.warn(
          "refused the session of worker {}: subprotocol {} not offered", workerId, SUBPROTOCOL);
      Response.writeError(
          request, response, callback, 400, "Sec-WebSocket-Protocol must offer " + SUBPROTOCOL);
      return null;
    }
    response.setAcceptedSubProtocol(SUBPROTOCOL);
    return hub.newSocket(workerId);
  }
}
