package org.studioworker.runtime.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.net.BodyStream;

/**
 * Model files on disk: {@code <models_root>/<sanitised model id>/<filename>}, downloaded on first
 * use and verified.
 *
 * <p>A download goes to {@code <file>.part} and is renamed only once complete and verified, so a
 * file under its final name is always whole. A {@code .part} left by an earlier try is resumed with
 * a {@code Range} request when the server allows it. The size is checked against {@code
 * Content-Length}, the SHA-256 is computed while streaming when the studio gave one (a mismatch
 * deletes the file), free disk space is checked first ({@code approxBytes} + 10 %). Only https is
 * fetched, plus plain http on loopback (for tests and local mirrors); redirects are followed only
 * within the same scheme. A download that goes a minute without one byte is given up, its {@code
 * .part} kept, and resumed by the next job that needs the file. Each model folder keeps a {@code
 * manifest.json} of what it holds. Every byte of a model file received is counted into {@link
 * Traffic}.
 *
 * <p>Several workers on one machine (one per GPU) may share {@code models_root}; a file wanted by
 * two at once is downloaded once. Within this process, the jobs that want one file share one
 * download (a map of downloads in progress, by the file's real path). Across processes, the one
 * download holds a {@link PartLock} on {@code <file>.part.lock}; the others wait while it makes
 * progress and then use the verified file, or, when it died or gave up, take its {@code .part} over
 * and resume it. Free space is counted less what the other downloads in progress still need ({@link
 * Reservations}).
 *
 * <p>Thread-safe. {@link #fetch} blocks the calling job thread while downloading or waiting for
 * another worker's download.
 */
public final class ModelStore {
  private static final Logger log = LoggerFactory.getLogger("models");

  /** Why 5? Real CDNs redirect once or twice; more is a loop. */
  private static final int MAX_REDIRECTS = 5;

  /** Progress is logged at most this often. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private static final int BUFFER = 256 * 1024;

  /**
   * Why 1 MiB? The body arrives in the client's 16 KiB chunks; gathering those that have arrived
   * into one buffer makes one {@code write} call and one hand-off to the hashing thread per MiB
   * instead of 64 (see {@link Gathered}, {@link DigestPipe}).
   */
  private static final int WRITE_BUFFER = 1024 * 1024;

  /**
   * Why 64? Lists of buffers the client may hand over ahead of the reader (about 1 MiB of 16 KiB
   * chunks), so it can hand chunks over while this thread is busy writing.
   */
  private static final int PREFETCH = 64;

  /** How often a job waiting for another job's download looks at its own cancellation. */
  private static final Duration JOIN_POLL = Duration.ofMillis(200);

  private final Path root;
  private final HttpClient http;
  private final InstantSource clock;
  private final Duration requestTimeout;
  private final Duration idleTimeout;
  private final Traffic traffic;
  private final Reservations reservations;

  /**
   * The downloads in progress in this process, by the file's real path (so two stores, or two
   * spellings of one root, still meet here). Process-wide because the {@link PartLock} behind each
   * entry belongs to the process, not to a store or a thread.
   */
  private static final ConcurrentHashMap<Path, CompletableFuture<Path>> IN_FLIGHT =
      new ConcurrentHashMap<>();

  /** Why 60 s? A CDN under load pauses for seconds; a minute without one byte is a dead server. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** A store under {@code root}, giving up on a download after a minute without a byte. */
  public ModelStore(
      Path root, HttpClient http, InstantSource clock, Duration requestTimeout, Traffic traffic) {
    this(root, http, clock, requestTimeout, DEFAULT_IDLE_TIMEOUT, traffic);
  }

  /**
   * A store under {@code root}.
   *
   * @param requestTimeout the wait for a reply's headers
   * @param idleTimeout the longest a download may go without one byte; then it is given up, its
   *     {@code .part} kept for a resume
   * @param traffic where the bytes received are counted
   */
  public ModelStore(
      Path root,
      HttpClient http,
      InstantSource clock,
      Duration requestTimeout,
      Duration idleTimeout,
      Traffic traffic) {
    this(root, http, clock, requestTimeout, idleTimeout, traffic, DiskSpace.ofFileStore());
  }

  /** The same, with the free disk space read from {@code space} (a test plays a full disk). */
  ModelStore(
      Path root,
      HttpClient http,
      InstantSource clock,
      Duration requestTimeout,
      Duration idleTimeout,
      Traffic traffic,
      DiskSpace space) {
    this.root = root.toAbsolutePath().normalize();
    this.http = http;
    this.clock = clock;
    this.requestTimeout = requestTimeout;
    this.idleTimeout = idleTimeout;
    this.traffic = traffic;
    this.reservations = new Reservations(this.root, space);
  }

  /** The folder that holds a model's files. */
  public Path folderOf(String modelId) {
    return root.resolve(sanitise(modelId));
  }

  /**
   * A verified local copy of one file of a model, downloading it first when needed.
   *
   * @param cancelled checked between chunks; a cancelled download stops and keeps its {@code .part}
   * @throws ExecutorException when the file cannot be had; the message says why, and whether a
   *     retry could help is left to the runtime (a failed download is retryable)
   */
  public Path fetch(String modelId, ModelFile file, BooleanSupplier cancelled)
      throws ExecutorException, InterruptedException {
    Path folder = folderOf(modelId);
    Path target = pathOf(modelId, file.filename());
    while (true) {
      if (Files.isRegularFile(target) && matches(folder, target, file)) {
        return target;
      }
      Path key = keyOf(folder, target);
      CompletableFuture<Path> mine = new CompletableFuture<>();
      CompletableFuture<Path> running = IN_FLIGHT.putIfAbsent(key, mine);
      if (running != null) {
        if (join(running, cancelled)) {
          return target;
        }
        // The job that held it was cancelled: this one takes the download over.
        continue;
      }
      try {
        Path done = claimAndDownload(modelId, file, folder, target, key, cancelled);
        mine.complete(done);
        return done;
      } catch (ExecutorException | RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      } catch (InterruptedException e) {
        mine.cancel(false);
        throw e;
      } finally {
        IN_FLIGHT.remove(key, mine);
      }
    }
  }

  /** The file's real path: its folder is created and resolved through any symbolic link. */
  private static Path keyOf(Path folder, Path target) throws ExecutorException {
    try {
      Files.createDirectories(folder);
      return folder.toRealPath().resolve(target.getFileName());
    } catch (IOException e) {
      throw new ExecutorException("cannot create " + folder + ": " + e.getMessage());
    }
  }

  /**
   * Waits for another job's download of the same file: true when it succeeded, false when it was
   * cancelled (its job stopped, not the download failed).
   */
  private static boolean join(CompletableFuture<Path> running, BooleanSupplier cancelled)
      throws ExecutorException, InterruptedException {
    while (true) {
      if (cancelled.getAsBoolean()) {
        throw new InterruptedException("download cancelled");
      }
      try {
        running.get(JOIN_POLL.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException e) {
        // Still running; look at our own cancellation again.
      } catch (CancellationException e) {
        return false;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ExecutorException executor) {
          throw new ExecutorException(String.valueOf(executor.getMessage()));
        }
        throw new ExecutorException("the shared download failed: " + cause);
      }
    }
  }

  /**
   * Downloads the file under the cross-process lock, unless another worker finished it while this
   * one waited for the lock.
   */
  private Path claimAndDownload(
      String modelId, ModelFile file, Path folder, Path target, Path key, BooleanSupplier cancelled)
      throws ExecutorException, InterruptedException {
    String what = "model " + modelId + ", file " + file.filename();
    // Why twice the idle timeout? A live holder gives up by itself after one idle timeout without a
    // byte and releases the lock; one that still holds it a whole second one is stuck.
    try (PartLock ignored =
        PartLock.acquire(target, what, idleTimeout.multipliedBy(2), clock, cancelled)) {
      if (Files.isRegularFile(target) && matches(folder, target, file)) {
        log.info("{} was downloaded by another worker on this machine", what);
        return target;
      }
      return download(modelId, file, folder, target, key, cancelled);
    }
  }

  /** The final path of a file, after refusing names that could escape the model folder. */
  Path pathOf(String modelId, String filename) throws ExecutorException {
    if (filename.isEmpty()
        || filename.contains("/")
        || filename.contains("\\")
        || filename.equals(".")
        || filename.equals("..")
        || filename.indexOf('\0') >= 0
        || filename.endsWith(".part")
        || filename.endsWith(".part.lock")) {
      throw new ExecutorException(
          "model file name is not a plain file name (no folders, no '..', no .part)");
    }
    Path folder = folderOf(modelId);
    Path target = folder.resolve(filename).normalize();
    if (!folder.equals(target.getParent())) {
      throw new ExecutorException("model file name escapes the model folder");
    }
    return target;
  }

  private boolean matches(Path folder, Path target, ModelFile file) throws ExecutorException {
    String sha = file.sha256();
    if (sha == null) {
      return true;
    }
    Optional<Manifest.Entry> recorded = Manifest.read(folder).find(target.getFileName().toString());
    if (recorded.isPresent() && sha.equalsIgnoreCase(recorded.get().sha256())) {
      return true;
    }
    try (InputStream in = Files.newInputStream(target)) {
      MessageDigest digest = sha256();
      byte[] buffer = new byte[BUFFER];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest()).equalsIgnoreCase(sha);
    } catch (IOException e) {
      throw new ExecutorException("model file " + target + " cannot be read: " + e.getMessage());
    }
  }

  private Path download(
      String modelId, ModelFile file, Path folder, Path target, Path key, BooleanSupplier cancelled)
      throws ExecutorException, InterruptedException {
    URI uri = checkedUri(file.url());
    Path part = target.resolveSibling(target.getFileName() + ".part");
    String what = "model " + modelId + ", file " + file.filename();
    Long approx = file.approxBytes();
    long resumeFrom = Files.isRegularFile(part) ? size(part) : 0;
    // Checked again below once Content-Length tells the size when the studio did not.
    try (Reservations.Reservation reservation =
        reservations.reserve(
            key,
            what,
            folder,
            approx == null ? 0 : Math.max(0, approx + approx / 10 - resumeFrom))) {
      return download(
          modelId, file, folder, target, key, cancelled, uri, part, what, resumeFrom, reservation);
    }
  }

  private Path download(
      String modelId,
      ModelFile file,
      Path folder,
      Path target,
      Path key,
      BooleanSupplier cancelled,
      URI uri,
      Path part,
      String what,
      long resumeFrom,
      Reservations.Reservation reservation)
      throws ExecutorException, InterruptedException {
    Long approx = file.approxBytes();
    Opened response = open(uri, resumeFrom);
    try (BodyStream in = response.body()) {
      int status = response.statusCode();
      boolean resumed = status == 206 && resumeFrom > 0;
      if (status != 200 && !resumed) {
        if (status == 416 && resumeFrom > 0) {
          deleteQuietly(part);
          throw new ExecutorException(
              "the server refused to resume " + file.filename() + "; the partial file was removed");
        }
        throw new ExecutorException(
            "downloading " + file.filename() + " failed: HTTP " + status + " from " + display(uri));
      }
      if (!resumed) {
        resumeFrom = 0;
      }
      OptionalLong length = response.headers().firstValueAsLong("Content-Length");
      long expectedTotal = length.isPresent() ? resumeFrom + length.getAsLong() : -1;
      if (expectedTotal > 0 && approx == null) {
        reservation.resize(expectedTotal - resumeFrom);
      }
      MessageDigest digest = sha256();
      if (resumeFrom > 0) {
        hashExisting(part, digest);
        log.info("resuming {} at {} bytes", file.filename(), resumeFrom);
      } else {
        log.info(
            "downloading {} for model {} from {}{}",
            file.filename(),
            modelId,
            display(uri),
            expectedTotal > 0 ? " (" + expectedTotal + " bytes)" : "");
      }
      long written = resumeFrom;
      Instant lastReport = clock.instant();
      byte[] sha;
      try (DigestPipe hasher = new DigestPipe(digest, WRITE_BUFFER);
          FileChannel out =
              FileChannel.open(
                  part,
                  StandardOpenOption.CREATE,
                  resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE)) {
        Gathered body = new Gathered(in, cancelled);
        while (true) {
          byte[] buffer = hasher.take();
          int n = body.next(buffer);
          if (n == 0) {
            break;
          }
          written += n;
          if (expectedTotal > 0 && written > expectedTotal) {
            throw new ExecutorException(
                "the server sent more than the announced " + expectedTotal + " bytes");
          }
          // Hashed on the pipe's thread while this one writes the same bytes.
          hasher.hash(buffer, n);
          ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
          while (chunk.hasRemaining()) {
            out.write(chunk);
          }
          Instant now = clock.instant();
          if (Duration.between(lastReport, now).compareTo(PROGRESS_EVERY) >= 0) {
            lastReport = now;
            if (expectedTotal > 0) {
              reservation.update(expectedTotal - written);
            }
            log.info(
                "downloading {}: {} MB{}",
                file.filename(),
                written / (1024 * 1024),
                expectedTotal > 0 ? " of " + expectedTotal / (1024 * 1024) + " MB" : "");
          }
        }
        sha = hasher.digest();
      } catch (IOException e) {
        if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("download cancelled");
        }
        String why =
            e.getMessage() != null && e.getMessage().contains("No space left")
                ? "the disk is full"
                : e instanceof BodyStream.StalledException
                    ? e.getMessage()
                    : e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage());
        throw new ExecutorException(
            "downloading "
                + file.filename()
                + " broke off after "
                + written
                + " bytes ("
                + why
                + "); the partial file is kept for a resume");
      }
      if (expectedTotal > 0 && written != expectedTotal) {
        throw new ExecutorException(
            "downloading "
                + file.filename()
                + " ended after "
                + written
                + " of "
                + expectedTotal
                + " bytes; the partial file is kept for a resume");
      }
      String actual = HexFormat.of().formatHex(sha);
      String expected = file.sha256();
      if (expected != null && !expected.equalsIgnoreCase(actual)) {
        deleteQuietly(part);
        throw new ExecutorException(
            "downloaded " + file.filename() + " does not match its SHA-256; the file was removed");
      }
      try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
        channel.force(true);
        Files.move(
            part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new ExecutorException("cannot move " + part + " into place: " + e.getMessage());
      }
      Manifest.record(
          folder, target.getFileName().toString(), file.url(), actual, written, clock.instant());
      log.info("downloaded {} ({} bytes, sha256 {})", file.filename(), written, actual);
      return target;
    }
  }

  /**
   * The body gathered into one buffer: the chunks that have already arrived, up to {@link
   * #WRITE_BUFFER} bytes, so that a fast download makes one write and one digest update per MiB. It
   * never waits for more while it holds bytes, so what has arrived reaches the {@code .part} at
   * once when the body slows down (the workers waiting for this download watch the {@code .part}
   * grow, and a holder killed mid-download leaves behind everything it received).
   *
   * <p>Every read is counted into {@link Traffic} and followed by a look at the cancellation; a
   * cancelled download stops there, dropping what it gathered (at most one buffer; the resume
   * fetches it again). A body that breaks after some bytes were gathered hands those out first and
   * fails at the next call.
   */
  private final class Gathered {
    private final BodyStream in;
    private final BooleanSupplier cancelled;
    private @Nullable IOException broken;

    Gathered(BodyStream in, BooleanSupplier cancelled) {
      this.in = in;
      this.cancelled = cancelled;
    }

    /** Fills {@code buffer} from its start: the bytes put there, 0 at the end of the body. */
    int next(byte[] buffer) throws IOException, InterruptedException {
      IOException failed = broken;
      if (failed != null) {
        throw failed;
      }
      int filled = 0;
      do {
        int n;
        try {
          n = in.read(buffer, filled, buffer.length - filled);
        } catch (IOException e) {
          if (filled == 0) {
            throw e;
          }
          broken = e;
          break;
        }
        if (n < 0) {
          break;
        }
        traffic.downloaded(n);
        if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("download cancelled");
        }
        filled += n;
      } while (filled < buffer.length && in.available() > 0);
      return filled;
    }
  }

  /** A reply whose headers arrived; its body is read through the idle timeout. */
  private record Opened(int statusCode, HttpHeaders headers, BodyStream body) {}

  private Opened open(URI uri, long resumeFrom) throws ExecutorException, InterruptedException {
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(requestTimeout).GET();
      if (resumeFrom > 0) {
        request.header("Range", "bytes=" + resumeFrom + "-");
      }
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofPublisher());
      } catch (IOException e) {
        throw new ExecutorException(
            "cannot download " + display(current) + ": " + StudioHttp.describe(e, current));
      }
      int status = response.statusCode();
      BodyStream body = BodyStream.of(response.body(), idleTimeout, Long.MAX_VALUE, PREFETCH);
      if (status / 100 != 3) {
        return new Opened(status, response.headers(), body);
      }
      body.close();
      String location = response.headers().firstValue("Location").orElse(null);
      if (location == null) {
        throw new ExecutorException("redirect without a Location from " + display(current));
      }
      URI next = current.resolve(location);
      if (!String.valueOf(next.getScheme()).equalsIgnoreCase(String.valueOf(current.getScheme()))) {
        throw new ExecutorException(
            "refusing a redirect from " + current.getScheme() + " to " + next.getScheme());
      }
      current = checkedUri(next.toString());
    }
    throw new ExecutorException("more than " + MAX_REDIRECTS + " redirects for " + display(uri));
  }

  /** https anywhere; http only to a loopback address. */
  static URI checkedUri(String url) throws ExecutorException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new ExecutorException("model URL is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return uri;
    }
    if (scheme.equals("http") && isLoopback(uri.getHost())) {
      return uri;
    }
    throw new ExecutorException(
        "model URLs must be https (plain http is allowed on loopback only), got "
            + (scheme.isEmpty() ? "no scheme" : scheme));
  }

  private static boolean isLoopback(@Nullable String host) {
    if (host == null) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // Only literal addresses: a name is never resolved here, so DNS cannot redirect us.
      if (host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.startsWith("[")) {
        return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
      }
    } catch (UnknownHostException e) {
      return false;
    }
    return false;
  }

  private static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      return 0;
    }
  }

  private static void hashExisting(Path part, MessageDigest digest) throws ExecutorException {
    try (InputStream in = Files.newInputStream(part)) {
      byte[] buffer = new byte[BUFFER];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new ExecutorException("cannot read the partial file " + part + ": " + e.getMessage());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // Best effort; the next download overwrites it.
    }
  }

  /** A URL without its query (which may carry a signed token). */
  static String display(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
  }

  /**
   * A model id as a single safe folder name: letters, digits, {@code . _ -} kept, anything else
   * becomes {@code _}; never empty, never {@code .} or {@code ..}.
   */
  public static String sanitise(String modelId) {
    StringBuilder out = new StringBuilder(modelId.length());
    for (int i = 0; i < modelId.length(); i++) {
      char c = modelId.charAt(i);
      boolean safe =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      out.append(safe ? c : '_');
    }
    String name = out.toString();
    if (name.isEmpty() || name.chars().allMatch(c -> c == '.')) {
      name = "_" + name;
    }
    return name.length() > 120 ? name.substring(0, 120) : name;
  }
}
