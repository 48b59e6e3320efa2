package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;

/**
 * A minimal worker end of a session on the JDK WebSocket client, recording what the studio sends:
 * frames in a queue that the test takes in order, and the close code.
 */
final class TestWorker implements WebSocket.Listener, AutoCloseable {
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final AtomicInteger closeCode = new AtomicInteger(-1);
  private final AtomicInteger binaryFrames = new AtomicInteger();
  private volatile @Nullable WebSocket socket;

  private TestWorker() {}

  /** Opens a session with the worker's token and the contract's subprotocol (no hello yet). */
  static TestWorker connect(HttpClient client, DevStudio studio, WorkerCredentials worker)
      throws Exception {
    TestWorker listener = new TestWorker();
    listener.socket =
        client
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + worker.authToken())
            .subprotocols("studio-worker-v1")
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(studio.sessionUrl(worker.workerId()), listener)
            .get(10, TimeUnit.SECONDS);
    return listener;
  }

  /** Connects, says hello with the capabilities and waits for welcome. */
  static TestWorker welcomed(HttpClient client, DevStudio studio, WorkerCredentials worker)
      throws Exception {
    TestWorker session = connect(client, studio, worker);
    session.send(new WorkerFrame.Hello(worker.authToken(), Fixtures.capabilities()));
    StudioFrame.Welcome welcome = session.next(StudioFrame.Welcome.class);
    assertThat(welcome.workerId()).isEqualTo(worker.workerId());
    return session;
  }

  WebSocket socket() {
    WebSocket s = socket;
    if (s == null) {
      throw new IllegalStateException("not connected");
    }
    return s;
  }

  void send(WorkerFrame frame) throws Exception {
    sendText(Fixtures.CODEC.encode(frame));
  }

  synchronized void sendText(String text) throws Exception {
    socket().sendText(text, true).get(10, TimeUnit.SECONDS);
  }

  synchronized void sendBinary(byte[] bytes) throws Exception {
    socket().sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
  }

  /** The next frame from the studio, which must be of this type. */
  <T extends StudioFrame> T next(Class<T> type) throws InterruptedException, FrameDecodeException {
    String text = received.poll(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(text).as("a %s frame from the studio", type.getSimpleName()).isNotNull();
    StudioFrame frame = Fixtures.CODEC.decodeStudioFrame(text);
    assertThat(frame).isInstanceOf(type);
    return type.cast(frame);
  }

  /** The next raw text from the studio. */
  String nextText() throws InterruptedException {
    String text = received.poll(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(text).as("a text frame from the studio").isNotNull();
    return text;
  }

  /** Whether no frame arrives within a short while (used only to check for absence). */
  boolean nothingWithin(Duration wait) throws InterruptedException {
    return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
  }

  /** Waits for the close from the studio and returns its code. */
  int awaitClose() {
    await().atMost(Fixtures.WAIT).until(() -> closeCode.get() != -1);
    return closeCode.get();
  }

  boolean isClosed() {
    return closeCode.get() != -1;
  }

  int binaryFrames() {
    return binaryFrames.get();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(Long.MAX_VALUE);
  }

  @Override
  public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      received.add(partial.toString());
      partial.setLength(0);
    }
    return null;
  }

  @Override
  public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    if (last) {
      binaryFrames.incrementAndGet();
    }
    return null;
  }

  @Override
  public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.set(statusCode);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    // A dropped connection: recorded as 1006, as browsers do.
    closeCode.compareAndSet(-1, 1006);
  }

  @Override
  public void close() {
    WebSocket s = socket;
    if (s != null && !s.isOutputClosed()) {
      s.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS);
    }
    if (s != null) {
      s.abort();
    }
  }
}
