/** The worker daemon and its command line. */
@org.jspecify.annotations.NullMarked
module org.studioworker.runtime {
  requires static org.jspecify;
  requires org.studioworker.protocol;
  requires org.studioworker.gpu;
  requires java.net.http;
  requires jdk.httpserver;
  requires jdk.unsupported;
  requires tools.jackson.databind;
  requires tools.jackson.dataformat.toml;
  requires org.slf4j;
  requires ch.qos.logback.classic;
  requires ch.qos.logback.core;
  requires info.picocli;
  requires sentry;
  requires sentry.logback;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;
  requires io.prometheus.metrics.instrumentation.jvm;

  uses org.studioworker.spi.ExecutorProvider;
  uses org.studioworker.runtime.DesktopUi;

  exports org.studioworker.runtime;

  // The demo embeds a daemon next to the reference studio; nothing else sees these.
  exports org.studioworker.runtime.config to
      org.studioworker.dist,
      org.studioworker.ui;
  exports org.studioworker.runtime.daemon to
      org.studioworker.dist,
      org.studioworker.ui;
  // The desktop UI reads the discovery file and talks to the daemon as any local client does.
  exports org.studioworker.runtime.localapi to
      org.studioworker.ui;
  exports org.studioworker.runtime.http to
      org.studioworker.ui;
  exports org.studioworker.runtime.lifecycle to
      org.studioworker.dist;
  exports org.studioworker.runtime.logs to
      org.studioworker.dist;

  opens org.studioworker.runtime.cli to
      info.picocli;
}
