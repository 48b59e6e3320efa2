package org.studioworker.runtime.http;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;

/** The one HTTP client of the worker: no redirects followed, a connect timeout, virtual threads. */
public final class StudioHttp {
  private StudioHttp() {}

  /**
   * A client for the studio's routes. Redirects are not followed: a registration secret or a token
   * must never be replayed to another host.
   */
  public static HttpClient client(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build();
  }
}
