package org.studioworker.executors.llamacpp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.Claim;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;
import org.studioworker.spi.net.BodyStream;
import org.studioworker.spi.process.ProgramLocator;

/**
 * Runs llm jobs through a managed llama-server: started for a job's model, kept loaded for the
 * following jobs of the same model, restarted for another model or when it died, and stopped after
 * an idle period and on {@link #close()}.
 *
 * <p>Jobs run one at a time (a lock serialises them); {@link #serves()} never blocks; {@link
 * #close()} may be called from any thread and stops the server even while a job runs.
 */
final class LlamaServerExecutor implements Executor {
  static final String PROGRAM = "llama-server";
  static final String PROGRAM_VAR = "STUDIO_WORKER_LLAMA_SERVER";

  /**
   * Why 1 MiB for a line of the stream? A chunk carries a token or a few; the largest, the last
   * with the usage and timings, is under 1 KiB. A line past this is not llama-server's.
   */
  static final int MAX_LINE_BYTES = 1 << 20;

  /** Why 200 characters? Enough for llama-server's error message, short enough for a log line. */
  private static final int EXCERPT_CHARS = 200;

  private final Map<String, String> env;
  private final Path modelsRoot;
  private final Path workDir;

  /** Set on every llama-server start, over the worker's environment (the pinned GPU). */
  private final Map<String, String> processEnv;

  private final LlamaCppSettings settings;
  private final HttpClient http;
  private final ProgramLocator locator = new ProgramLocator(PROGRAM, PROGRAM_VAR);
  private final ScheduledExecutorService idleTimer;

  /** Held for a whole job; jobs and idle stops never overlap. */
  private final ReentrantLock jobs = new ReentrantLock();

  /** The running server, or null. Written under {@link #jobs}; read by {@link #close()}. */
  private volatile @Nullable LlamaServer server;

  /** The pending idle stop, or null. Guarded by {@link #jobs}. */
  private @Nullable ScheduledFuture<?> idleStop;

  private volatile boolean closed;

  LlamaServerExecutor(
      Map<String, String> env,
      Path modelsRoot,
      Path workDir,
      LlamaCppSettings settings,
      HttpClient http) {
    this(env, modelsRoot, workDir, Map.of(), settings, http);
  }

  LlamaServerExecutor(
      Map<String, String> env,
      Path modelsRoot,
      Path workDir,
      Map<String, String> processEnv,
      LlamaCppSettings settings,
      HttpClient http) {
    this.env = Map.copyOf(env);
    this.modelsRoot = modelsRoot;
    this.workDir = workDir;
    this.processEnv = Map.copyOf(processEnv);
    this.settings = settings;
    this.http = http;
    this.idleTimer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("llama-server-idle").factory());
  }

  /** Where llama-server is, or where it was looked for; for the start-up log. */
  String describe() {
    ProgramLocator.Located located = locator.locate(env, modelsRoot);
    return located.path().map(p -> PROGRAM + " " + p).orElse(locator.searched(located));
  }

  /** {@code ok} when llama-server is found, else what is missing and how to fix it. */
  @Override
  public String readiness() {
    ProgramLocator.Located located = locator.locate(env, modelsRoot);
    return located.path().isPresent() ? "ok" : locator.notFound(located);
  }

  /** The running server, for tests. */
  @Nullable LlamaServer server() {
    return server;
  }

  /**
   * {@code llm} with no model ids: the studio routes by {@code modelSource.engine} and picks
   * workers by kind, and the model ids are the studio's own.
   */
  @Override
  public Map<TaskKind, List<String>> serves() {
    return Map.of(TaskKind.LLM, List.of());
  }

  @Override
  public JobResult run(Claim claim, JobContext context)
      throws ExecutorException, InterruptedException {
    return serve(claim, context, null);
  }

  /**
   * Runs the job as {@link #run} does with {@code "stream": true}: reads llama-server's server-sent
   * events as they come, hands each piece of content to {@code out}, and returns the {@code
   * chat.completion} assembled from the chunks, in the shape {@link #run} returns.
   *
   * <p>When {@code out} throws, the exchange is closed at once (llama-server stops generating for a
   * request whose connection closed) and the job fails with "the caller went away". Cancellation
   * and the job timeout close it too.
   */
  @Override
  public JobResult stream(Claim claim, JobContext context, ChatStream out)
      throws ExecutorException, InterruptedException {
    return serve(claim, context, out);
  }

  private JobResult serve(Claim claim, JobContext context, @Nullable ChatStream out)
      throws ExecutorException, InterruptedException {
    EngineId engine = claim.modelSource().engine();
    if (!engine.equals(EngineId.LLAMA_CPP)) {
      throw new UnsupportedJobException(
          "the llama-cpp engine runs only jobs whose modelSource.engine is llama-cpp, not "
              + engine);
    }
    if (!(claim.task() instanceof Task.Llm llm)) {
      throw new UnsupportedJobException(
          "the llama-cpp engine runs only llm jobs, not " + claim.task().kind());
    }
    ModelFile modelFile = only(claim, FileRole.MODEL);
    if (modelFile == null) {
      throw new UnsupportedJobException("an llm job needs a model file; this one names none");
    }
    ModelFile visionFile = only(claim, FileRole.TEXT_ENCODER_VISION);
    ProgramLocator.Located located = locator.locate(env, modelsRoot);
    Path program = located.program();
    if (program == null) {
      throw new ExecutorException(locator.notFound(located));
    }
    Path model = context.modelFile(modelFile);
    Path mmproj = visionFile == null ? null : context.modelFile(visionFile);
    ServerKey key = new ServerKey(model, mmproj, claim.modelSource().cliDefaults().contextSize());
    String body =
        ChatRequest.json(
            claim.model(),
            llm,
            claim.modelSource().cliDefaults(),
            context.log()::warn,
            out != null);

    jobs.lockInterruptibly();
    try {
      if (closed) {
        throw new ExecutorException("the llama-cpp engine is closed");
      }
      cancelIdleStop();
      LlamaServer running = ensureServer(program, key, claim.vramGbEstimate(), context);
      String reply;
      try {
        reply = exchange(running, body, context, out);
      } catch (NotReached e) {
        // The server died between the look and the request, so the request never reached it:
        // starting it again and asking once more cannot run the prompt twice.
        if (!running.awaitExit(EXIT_WAIT)) {
          throw e.failure;
        }
        running = ensureServer(program, key, claim.vramGbEstimate(), context);
        try {
          reply = exchange(running, body, context, out);
        } catch (NotReached again) {
          throw again.failure;
        }
      }
      return new JobResult.Json(new JsonText(reply));
    } finally {
      scheduleIdleStop();
      jobs.unlock();
    }
  }

  /**
   * The GPU memory the running llama-server holds: the {@code vramGbEstimate} of the claim that
   * started it, while it is alive; 0 when no server runs or it died.
   *
   * <p>The estimate is what the studio says the model needs, not a measurement: a per-process NVML
   * reading of the server's memory would be more exact, but needs the GPU library in this plugin. A
   * later job that reuses the server keeps the first job's figure, since the model loaded is the
   * same. Does not block.
   */
  @Override
  public double residentVramGb() {
    LlamaServer running = server;
    return running != null && running.isAlive() ? running.vramGb() : 0;
  }

  /** Stops the server and the idle timer; never throws, does not wait for a job. */
  @Override
  public void close() {
    closed = true;
    idleTimer.shutdownNow();
    LlamaServer running = server;
    server = null;
    if (running != null) {
      running.stop();
    }
  }

  /** How long a server that refused a connection gets to be seen dead. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(2);

  /** The request never reached the server: nothing was generated, so it may be asked again. */
  private static final class NotReached extends Exception {
    final ExecutorException failure;

    NotReached(ExecutorException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  /** The server for {@code key}, started (and the old one stopped) when needed. */
  private LlamaServer ensureServer(Path program, ServerKey key, double vramGb, JobContext context)
      throws ExecutorException, InterruptedException {
    LlamaServer current = server;
    if (current != null && current.key().equals(key) && current.isAlive()) {
      return current;
    }
    if (current != null) {
      context
          .log()
          .info(
              current.isAlive()
                  ? "llama-server: switching to " + key.model().getFileName()
                  : "llama-server had stopped (" + current.lastLine() + "); restarting it");
      current.stop();
      server = null;
    }
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new ExecutorException("could not create the work folder " + workDir, e);
    }
    LlamaServer started =
        LlamaServer.start(program, key, workDir, processEnv, settings.killGrace(), vramGb);
    server = started;
    context.log().info("llama-server starting with " + key.model().getFileName());
    boolean healthy = false;
    try {
      started.awaitHealthy(http, settings.loadTimeout(), context::isCancelled);
      healthy = true;
    } finally {
      if (!healthy) {
        started.stop();
        server = null;
      }
    }
    context.log().info("llama-server ready with " + key.model().getFileName());
    return started;
  }

  /**
   * Posts the chat completion; the reply's JSON text when it is an object. The job timeout bounds
   * the whole exchange, the reply's body included, and the reply's size is capped.
   */
  private String complete(LlamaServer running, String body, JobContext context)
      throws ExecutorException, InterruptedException, NotReached {
    HttpRequest request =
        HttpRequest.newBuilder(running.uri("/v1/chat/completions"))
            .timeout(settings.jobTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(
            request,
            HttpResponse.BodyHandlers.limiting(
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
                settings.maxReplyBytes()));
    HttpResponse<String> response;
    try {
      response = Exchanges.await(pending, settings.jobTimeout(), context::isCancelled);
    } catch (TimeoutException e) {
      throw timedOut();
    } catch (ExecutionException e) {
      throw requestFailed(running, e);
    }
    String reply = response.body();
    if (response.statusCode() != 200) {
      throw new ExecutorException(
          "llama-server answered HTTP " + response.statusCode() + ": " + excerpt(reply));
    }
    if (!JsonReader.isObject(reply)) {
      throw new ExecutorException(
          "llama-server answered with something that is not a JSON object: " + excerpt(reply));
    }
    return reply;
  }

  /** What a failed exchange becomes; {@link NotReached} when the server refused the connection. */
  private ExecutorException requestFailed(LlamaServer running, ExecutionException e)
      throws NotReached {
    Throwable cause = e.getCause() == null ? e : e.getCause();
    if (cause instanceof HttpTimeoutException) {
      return timedOut();
    }
    String why = running.isAlive() ? String.valueOf(cause.getMessage()) : running.lastLine();
    ExecutorException failure =
        new ExecutorException(
            "the request to llama-server failed (" + cause.getClass().getSimpleName() + "): " + why,
            cause);
    if (cause instanceof java.net.ConnectException) {
      throw new NotReached(failure);
    }
    return failure;
  }

  private String exchange(
      LlamaServer running, String body, JobContext context, @Nullable ChatStream out)
      throws ExecutorException, InterruptedException, NotReached {
    return out == null ? complete(running, body, context) : streamed(running, body, context, out);
  }

  /**
   * Posts the streamed chat completion and reads its events, handing each piece of content to
   * {@code out}; the assembled {@code chat.completion} JSON. The job timeout bounds the whole
   * exchange; a line of the stream and the answer's text are capped, and nothing else is held.
   */
  private String streamed(LlamaServer running, String body, JobContext context, ChatStream out)
      throws ExecutorException, InterruptedException, NotReached {
    long deadline = System.nanoTime() + settings.jobTimeout().toNanos();
    HttpRequest request =
        HttpRequest.newBuilder(running.uri("/v1/chat/completions"))
            .timeout(settings.jobTimeout())
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
    try {
      response =
          Exchanges.await(
              http.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher()),
              settings.jobTimeout(),
              context::isCancelled);
    } catch (TimeoutException e) {
      throw timedOut();
    } catch (ExecutionException e) {
      throw requestFailed(running, e);
    }
    boolean ok = response.statusCode() == 200;
    // Subscribed at once, so that every way out below (close) cancels the exchange.
    BodyStream in =
        BodyStream.of(
            response.body(), settings.jobTimeout(), ok ? Long.MAX_VALUE : settings.maxReplyBytes());
    try (in;
        StreamWatch watch = StreamWatch.start(deadline, context::isCancelled, in::close)) {
      try {
        if (!ok) {
          String reply = new String(in.readAllBounded(), StandardCharsets.UTF_8);
          throw new ExecutorException(
              "llama-server answered HTTP " + response.statusCode() + ": " + excerpt(reply));
        }
        return events(running, in, out);
      } catch (IOException e) {
        switch (watch.reason()) {
          case CANCELLED -> throw new InterruptedException("the job was cancelled");
          case TIMED_OUT -> throw timedOut();
          case NONE -> {}
        }
        if (e instanceof BodyStream.StalledException) {
          // Quiet for the whole job timeout since its last byte, so past the deadline too.
          throw timedOut();
        }
        if (e instanceof InterruptedIOException) {
          Thread.interrupted();
          throw new InterruptedException("the job was cancelled");
        }
        if (e instanceof BodyStream.TooLargeException) {
          throw new ExecutorException(
              "llama-server answered HTTP "
                  + response.statusCode()
                  + " with a body larger than "
                  + (settings.maxReplyBytes() >> 10)
                  + " KiB");
        }
        String why = running.isAlive() ? String.valueOf(e.getMessage()) : running.lastLine();
        throw new ExecutorException(
            "the stream from llama-server failed (" + e.getClass().getSimpleName() + "): " + why,
            e);
      }
    }
  }

  /**
   * Reads the event stream to {@code [DONE]}: each event's data is a chunk, whose content goes to
   * {@code out}; the assembled answer.
   *
   * @throws IOException when reading the body fails (the caller says why)
   */
  private String events(LlamaServer running, BodyStream in, ChatStream out)
      throws IOException, ExecutorException, InterruptedException {
    SseLines lines = new SseLines(in, MAX_LINE_BYTES);
    StreamedCompletion completion = new StreamedCompletion(settings.maxReplyBytes());
    StringBuilder data = new StringBuilder();
    boolean hasData = false;
    while (!completion.done()) {
      String line;
      try {
        line = lines.next();
      } catch (SseLines.TooLongException e) {
        throw new ExecutorException(
            "llama-server sent a stream line longer than " + (MAX_LINE_BYTES >> 10) + " KiB");
      }
      if (line == null || line.isEmpty()) {
        // The end of an event, or of the stream: what its data lines said is one chunk.
        if (hasData) {
          forward(in, out, accept(completion, data.toString()));
          data.setLength(0);
          hasData = false;
        }
        if (line == null) {
          break;
        }
        continue;
      }
      if (line.startsWith(":")) {
        continue; // a comment
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = "";
      if (colon >= 0) {
        int from = line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1;
        value = line.substring(from);
      }
      switch (field) {
        case "data" -> {
          if (hasData) {
            data.append('\n');
          }
          data.append(value);
          hasData = true;
          if (data.length() > MAX_LINE_BYTES) {
            throw new ExecutorException(
                "llama-server sent a stream event longer than " + (MAX_LINE_BYTES >> 10) + " KiB");
          }
        }
        case "error" -> throw new ExecutorException(StreamedCompletion.errorMessage(parsed(value)));
        default -> {} // event, id, retry: llama-server sends none that matter here
      }
    }
    if (!completion.done() && !completion.finished()) {
      throw new ExecutorException(
          "llama-server ended the stream before the answer was done"
              + (running.isAlive() ? "" : ": " + running.lastLine()));
    }
    return completion.json();
  }

  private static String accept(StreamedCompletion completion, String data)
      throws ExecutorException {
    try {
      return completion.accept(data);
    } catch (StreamedCompletion.BadChunkException e) {
      throw new ExecutorException(String.valueOf(e.getMessage()));
    }
  }

  /**
   * Hands one piece to the caller; when the caller went away, closes the exchange at once, so that
   * llama-server stops generating, and fails the job.
   */
  private static void forward(BodyStream in, ChatStream out, String piece)
      throws ExecutorException, InterruptedException {
    if (piece.isEmpty()) {
      return;
    }
    try {
      out.content(piece);
    } catch (IOException e) {
      in.close();
      if (Thread.interrupted()) {
        throw new InterruptedException("the job was cancelled");
      }
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new ExecutorException("the caller went away: " + why, e);
    }
  }

  /** The JSON value of an error event's text, or the text itself when it is not JSON. */
  private static Object parsed(String text) {
    try {
      return JsonReader.parse(text);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  private ExecutorException timedOut() {
    return new ExecutorException(
        "llama-server did not answer within the job timeout of "
            + settings.jobTimeout().toSeconds()
            + " s");
  }

  private void cancelIdleStop() {
    ScheduledFuture<?> pending = idleStop;
    if (pending != null) {
      pending.cancel(false);
      idleStop = null;
    }
  }

  private void scheduleIdleStop() {
    if (closed || server == null) {
      return;
    }
    cancelIdleStop();
    Duration idle = settings.idleStop();
    try {
      idleStop = idleTimer.schedule(this::stopIdle, idle.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile: close() stops the server itself.
    }
  }

  /** Stops the server if no job has started since this stop was scheduled. */
  private void stopIdle() {
    if (!jobs.tryLock()) {
      return; // a job runs; it schedules the next idle stop when it ends
    }
    try {
      LlamaServer running = server;
      server = null;
      idleStop = null;
      if (running != null) {
        running.stop();
      }
    } finally {
      jobs.unlock();
    }
  }

  private static @Nullable ModelFile only(Claim claim, FileRole role) {
    for (ModelFile file : claim.modelSource().files()) {
      if (file.role() == role) {
        return file;
      }
    }
    return null;
  }

  private static String excerpt(String text) {
    String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "…";
  }
}
