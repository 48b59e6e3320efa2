package org.studioworker.devstudio;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes of the studio, matched by method and a path pattern, as one Jetty core handler.
 *
 * <p>An unknown path answers 404, a known path with another method 405, a {@link HttpProblem} its
 * status, anything else 500 (logged). Every error body is {@code {"error": message}}.
 *
 * <p>Thread-safe (immutable). Routes may block: Jetty runs this handler on a pool thread.
 */
final class Router extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  /** What a route does with a matched request. */
  @FunctionalInterface
  interface Action {
    void handle(Exchange exchange);
  }

  /** One route: a method and a whole-path pattern whose groups are the path parameters. */
  record Route(String method, Pattern path, Action action) {
    static Route of(String method, String regex, Action action) {
      return new Route(method, Pattern.compile(regex), action);
    }
  }

  private final List<Route> routes;
  private final DevJson json;
  private final long maxBodyBytes;

  Router(List<Route> routes, DevJson json, long maxBodyBytes) {
    this.routes = List.copyOf(routes);
    this.json = json;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    boolean pathKnown = false;
    for (Route route : routes) {
      Matcher matcher = route.path().matcher(path);
      if (!matcher.matches()) {
        continue;
      }
      pathKnown = true;
      if (!route.method().equals(request.getMethod())) {
        continue;
      }
      Exchange exchange = new Exchange(request, response, callback, matcher, maxBodyBytes);
      try {
        route.action().handle(exchange);
      } catch (HttpProblem problem) {
        if (!exchange.isAnswered()) {
          if (problem.status != 413) {
            exchange.drain();
          }
          exchange.json(problem.status, json.error(problem.message));
        }
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", request.getMethod(), path, e);
        if (!exchange.isAnswered()) {
          exchange.json(500, json.error("internal error: " + e.getClass().getSimpleName()));
        }
      }
      return true;
    }
    Exchange exchange =
        new Exchange(request, response, callback, Pattern.compile("").matcher(""), maxBodyBytes);
    if (pathKnown) {
      exchange.json(405, json.error("method " + request.getMethod() + " not allowed here"));
    } else {
      exchange.json(404, json.error("no route for " + path));
    }
    return true;
  }
}
