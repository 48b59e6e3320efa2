package org.studioworker.spi.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The body stream driven by a hand-written publisher: a publisher of our own shows exactly what was
 * requested and whether the subscription was cancelled, which a real HTTP exchange hides.
 */
final class BodyStreamTest {
  private static final Duration LONG = Duration.ofMinutes(1);

  /** Why 200 ms? Long enough that a live body never trips it here, short enough for a test. */
  private static final Duration SHORT_IDLE = Duration.ofMillis(200);

  @Test
  void readsTheWholeBodyAcrossListsAndBuffers() throws IOException {
    ScriptedBody body =
        new ScriptedBody(
            List.of(List.of(buffer("hello"), buffer(""), buffer(", ")), List.of(buffer("world"))),
            null,
            false);

    try (BodyStream stream = BodyStream.of(body, LONG, 100)) {
      assertThat(new String(stream.readAllBounded(), StandardCharsets.UTF_8))
          .isEqualTo("hello, world");
      assertThat(stream.bytesRead()).isEqualTo(12);
      assertThat(stream.read()).isEqualTo(-1);
    }
    assertThat(body.maxOutstanding()).as("one list at a time").isEqualTo(1);
  }

  @Test
  void aPrefetchAsksForThatManyListsAheadAndNoMore() throws IOException {
    ScriptedBody body =
        ScriptedBody.completing(bytes("ab"), bytes("cd"), bytes("ef"), bytes("gh"), bytes("ij"));

    try (BodyStream stream = BodyStream.of(body, LONG, 100, 3)) {
      assertThat(new String(stream.readAllBounded(), StandardCharsets.UTF_8))
          .isEqualTo("abcdefghij");
    }
    assertThat(body.maxOutstanding()).as("three lists at a time").isEqualTo(3);
  }

  @Test
  void availableCountsWhatHasArrivedAndNeverWaits() throws IOException {
    ScriptedBody body = ScriptedBody.stalling(bytes("ab"), bytes("cde"));

    try (BodyStream stream = BodyStream.of(body, SHORT_IDLE, 100, 2)) {
      assertThat(stream.available()).as("the first list, not yet read").isEqualTo(2);
      assertThat(stream.read()).isEqualTo('a');
      assertThat(stream.available()).isEqualTo(1);
      assertThat(stream.read()).isEqualTo('b');
      assertThat(stream.available()).as("the next list has arrived").isEqualTo(3);
      assertThat(stream.read(new byte[10], 0, 10)).isEqualTo(3);
      assertThat(stream.available()).as("nothing more has arrived").isZero();
    }
  }

  @Test
  void aBodyOfExactlyTheCapIsRead() throws IOException {
    ScriptedBody body = ScriptedBody.completing(bytes("abc"), bytes("de"));

    try (BodyStream stream = BodyStream.of(body, LONG, 5)) {
      assertThat(stream.readAllBounded()).isEqualTo("abcde".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void singleByteReadsReturnUnsignedValues() throws IOException {
    ScriptedBody body = ScriptedBody.completing(new byte[] {(byte) 0xFF, 0x01});

    try (BodyStream stream = BodyStream.of(body, LONG, 10)) {
      assertThat(stream.read()).isEqualTo(0xFF);
      assertThat(stream.read()).isEqualTo(0x01);
      assertThat(stream.read()).isEqualTo(-1);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aBodyThatGoesQuietFailsAsStalledAndIsCancelled() throws IOException {
    ScriptedBody body = ScriptedBody.stalling(bytes("abc"));
    BodyStream stream = BodyStream.of(body, SHORT_IDLE, 100);
    byte[] first = new byte[3];

    assertThat(stream.readNBytes(first, 0, 3)).isEqualTo(3);
    assertThatThrownBy(stream::read)
        .isInstanceOf(BodyStream.StalledException.class)
        .hasMessageContaining("after 3 bytes");
    assertThat(body.isCancelled()).isTrue();
  }

  @Test
  void aBodyLongerThanTheCapFailsAsTooLargeAndIsCancelled() {
    ScriptedBody body = ScriptedBody.completing(bytes("abc"), bytes("def"));
    BodyStream stream = BodyStream.of(body, LONG, 5);

    assertThatThrownBy(stream::readAllBounded)
        .isInstanceOf(BodyStream.TooLargeException.class)
        .hasMessageContaining("larger than 5 bytes");
    assertThat(body.isCancelled()).isTrue();
  }

  @Test
  void aZeroCapRefusesTheFirstByte() {
    ScriptedBody body = ScriptedBody.completing(bytes("x"));
    BodyStream stream = BodyStream.of(body, LONG, 0);

    assertThatThrownBy(stream::read).isInstanceOf(BodyStream.TooLargeException.class);
    assertThat(body.isCancelled()).isTrue();
  }

  @Test
  void anInterruptedReadCancelsTheBodyAndKeepsTheFlag() throws Exception {
    ScriptedBody body = ScriptedBody.stalling();
    BodyStream stream = BodyStream.of(body, LONG, 100);
    AtomicReference<@Nullable Throwable> thrown = new AtomicReference<>();
    AtomicBoolean flagKept = new AtomicBoolean();
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    stream.read();
                  } catch (IOException e) {
                    thrown.set(e);
                    flagKept.set(Thread.currentThread().isInterrupted());
                  }
                });

    // Whether the interrupt lands before or during the wait, the read must end the same way.
    reader.interrupt();
    reader.join(Duration.ofSeconds(30));

    assertThat(reader.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class);
    assertThat(flagKept).isTrue();
    assertThat(body.isCancelled()).isTrue();
  }

  @Test
  void thePublishersIoErrorIsThrownAsItIs() {
    IOException reset = new IOException("connection reset");
    ScriptedBody body = ScriptedBody.failing(reset, bytes("ab"));
    BodyStream stream = BodyStream.of(body, LONG, 100);

    assertThatThrownBy(stream::readAllBounded).isSameAs(reset);
  }

  @Test
  void aPublisherErrorOfAnotherTypeIsThrownAsAnIoException() {
    IllegalStateException broken = new IllegalStateException("decoder broke");
    ScriptedBody body = ScriptedBody.failing(broken);
    BodyStream stream = BodyStream.of(body, LONG, 100);

    assertThatThrownBy(stream::read)
        .isExactlyInstanceOf(IOException.class)
        .hasCause(broken)
        .hasMessageContaining("decoder broke");
  }

  @Test
  void closeFromAnotherThreadWakesABlockedReadAtOnce() throws Exception {
    ScriptedBody body = ScriptedBody.stalling();
    BodyStream stream = BodyStream.of(body, LONG, 100);
    AtomicReference<@Nullable Throwable> thrown = new AtomicReference<>();
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    stream.read();
                  } catch (IOException e) {
                    thrown.set(e);
                  }
                });

    stream.close();
    reader.join(Duration.ofSeconds(30));

    // With an idle timeout of a minute, only the close can have ended the read this soon.
    assertThat(reader.isAlive()).isFalse();
    assertThat(thrown.get())
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(BodyStream.StalledException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aReadAfterAFailureFailsAgainRatherThanLookingLikeTheEnd() {
    IOException reset = new IOException("connection reset");
    BodyStream stream = BodyStream.of(ScriptedBody.failing(reset, bytes("ab")), LONG, 100);

    assertThatThrownBy(stream::readAllBounded).isSameAs(reset);
    assertThatThrownBy(stream::read).isSameAs(reset);
  }

  @Test
  void aReadAfterAStallFailsAgain() throws IOException {
    BodyStream stream = BodyStream.of(ScriptedBody.stalling(bytes("a")), SHORT_IDLE, 100);
    assertThat(stream.read()).isEqualTo('a');

    assertThatThrownBy(stream::read)
        .isInstanceOf(BodyStream.StalledException.class)
        .hasMessageContaining("200 ms");
    assertThatThrownBy(stream::read).isInstanceOf(BodyStream.StalledException.class);
  }

  @Test
  void closeCancelsTheBodyAndLaterReadsFail() {
    ScriptedBody body = ScriptedBody.stalling(bytes("abc"));
    BodyStream stream = BodyStream.of(body, LONG, 100);

    stream.close();

    assertThat(body.isCancelled()).isTrue();
    assertThatThrownBy(stream::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void aSubscriptionThatArrivesAfterCloseIsCancelledAtOnce() {
    LateBody body = new LateBody();
    BodyStream stream = BodyStream.of(body, LONG, 100);

    stream.close();
    body.subscribeNow();

    assertThat(body.cancelled).isTrue();
    assertThat(body.requested).isZero();
  }

  @Test
  void rejectsANonPositiveIdleTimeoutAndANegativeCap() {
    ScriptedBody body = ScriptedBody.completing();

    assertThatThrownBy(() -> BodyStream.of(body, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BodyStream.of(body, LONG, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BodyStream.of(body, LONG, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static ByteBuffer buffer(String text) {
    return ByteBuffer.wrap(bytes(text));
  }

  /**
   * A publisher that delivers its lists as they are requested, synchronously on the requesting
   * thread, then completes, fails or goes quiet; it records demand and cancellation.
   */
  private static final class ScriptedBody implements Flow.Publisher<List<ByteBuffer>> {
    private final Deque<List<ByteBuffer>> lists;

    /** What follows the lists: this error, or (when null) the end unless the body stalls. */
    private final @Nullable Throwable error;

    private final boolean stalls;

    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** Guarded by this: requested and not yet delivered; the most ever outstanding. */
    private long outstanding;

    private long maxOutstanding;
    private boolean done;

    ScriptedBody(List<List<ByteBuffer>> lists, @Nullable Throwable error, boolean stalls) {
      this.lists = new ArrayDeque<>(lists);
      this.error = error;
      this.stalls = stalls;
    }

    /** One list of one buffer per chunk, then the end. */
    static ScriptedBody completing(byte[]... chunks) {
      return new ScriptedBody(lists(chunks), null, false);
    }

    /** One list of one buffer per chunk, then silence. */
    static ScriptedBody stalling(byte[]... chunks) {
      return new ScriptedBody(lists(chunks), null, true);
    }

    /** One list of one buffer per chunk, then {@code error}. */
    static ScriptedBody failing(Throwable error, byte[]... chunks) {
      return new ScriptedBody(lists(chunks), error, false);
    }

    private static List<List<ByteBuffer>> lists(byte[]... chunks) {
      return Arrays.stream(chunks).map(chunk -> List.of(ByteBuffer.wrap(chunk))).toList();
    }

    boolean isCancelled() {
      return cancelled.get();
    }

    synchronized long maxOutstanding() {
      return maxOutstanding;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              deliver(subscriber, n);
            }

            @Override
            public void cancel() {
              cancelled.set(true);
            }
          });
    }

    private void deliver(Flow.Subscriber<? super List<ByteBuffer>> subscriber, long n) {
      List<List<ByteBuffer>> items = new ArrayList<>();
      boolean end = false;
      synchronized (this) {
        outstanding += n;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
        while (outstanding > 0 && !lists.isEmpty() && !cancelled.get()) {
          items.add(lists.removeFirst());
          outstanding--;
        }
        if (lists.isEmpty() && !done && !stalls) {
          done = true;
          end = true;
        }
      }
      items.forEach(subscriber::onNext);
      if (end) {
        Throwable failure = error;
        if (failure != null) {
          subscriber.onError(failure);
        } else {
          subscriber.onComplete();
        }
      }
    }
  }

  /** A publisher that hands over its subscription only when told to, as an async client may. */
  private static final class LateBody implements Flow.Publisher<List<ByteBuffer>> {
    private Flow.@Nullable Subscriber<? super List<ByteBuffer>> subscriber;
    long requested;
    boolean cancelled;

    @Override
    public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
      this.subscriber = subscriber;
    }

    void subscribeNow() {
      Flow.Subscriber<? super List<ByteBuffer>> s = subscriber;
      if (s == null) {
        throw new IllegalStateException("nobody subscribed");
      }
      s.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              requested += n;
            }

            @Override
            public void cancel() {
              cancelled = true;
            }
          });
    }
  }
}
