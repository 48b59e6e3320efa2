package org.studioworker.ui;

import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.localapi.DaemonClient.LogBatch;
import org.studioworker.runtime.localapi.DaemonClient.Problem;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import org.studioworker.ui.process.DaemonKeeper;
import tools.jackson.databind.JsonNode;

/**
 * Asks the daemon for its status and new log entries once every interval, on a virtual thread of
 * its own, and hands each {@link Poll} to a consumer on that thread (the window moves it to the
 * EDT). Each request is bounded by the client's 5 s timeout, so a poll takes at most 10 s.
 */
final class Poller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Poller.class);

  private final DaemonClient client;
  private final DaemonKeeper keeper;
  private final Consumer<Poll> onPoll;
  private final Duration interval;
  private final Thread thread;

  /** The {@code seq} of the newest log entry seen; touched by the polling thread only. */
  private long after;

  /** Whether the last poll got an answer; touched by the polling thread only. */
  private boolean answered;

  Poller(DaemonClient client, DaemonKeeper keeper, Duration interval, Consumer<Poll> onPoll) {
    this.client = client;
    this.keeper = keeper;
    this.interval = interval;
    this.onPoll = onPoll;
    this.thread = Thread.ofVirtual().name("ui-poller").unstarted(this::loop);
  }

  /** Starts polling. */
  void start() {
    thread.start();
  }

  private void loop() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Poll poll = pollOnce();
          keeper.afterPoll(poll instanceof Poll.Answered);
          onPoll.accept(poll);
        } catch (RuntimeException e) {
          // A bug in one poll must not end polling: the window would freeze on old data.
          LOG.warn("a poll of the daemon failed", e);
        }
        Thread.sleep(interval);
      }
    } catch (InterruptedException stopping) {
      // close() ends the loop.
    }
  }

  /** One poll: the status, then the log entries after the last one seen. */
  Poll pollOnce() throws InterruptedException {
    Reply<JsonNode> status = client.status();
    if (status instanceof Reply.Failure<JsonNode>(Problem problem)) {
      answered = false;
      return new Poll.Unreachable(problem.message());
    }
    JsonNode board = ((Reply.Answer<JsonNode>) status).value();
    boolean fresh = !answered;
    answered = true;
    long asked = fresh ? 0 : after;
    return switch (client.logs(asked)) {
      case Reply.Failure<LogBatch>(Problem problem) -> {
        answered = false;
        yield new Poll.Unreachable(problem.message());
      }
      case Reply.Answer<LogBatch>(URI _, LogBatch batch) -> {
        // An "after" above the newest seq gives the whole ring: the daemon restarted.
        boolean restarted = fresh || batch.seq() < asked;
        after = batch.seq();
        yield new Poll.Answered(board, batch.entries(), restarted);
      }
    };
  }

  /** Stops polling; waits at most 11 s for a poll in flight. Never throws. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(11));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
