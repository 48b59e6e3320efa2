package org.studioworker.runtime.jobs;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;

/**
 * A worker's upload of one large file result, in a process of its own (started with a small heap by
 * {@link ResultUploaderLargeFileTest}), against a stand-in studio in the same process that reads
 * the body in small chunks, counts it and keeps only its first and last bytes.
 *
 * <p>Argument: the file. Prints {@code key value} lines: the outcome, the declared length, the
 * bytes received and counted as uploaded, the content type, and the body's first 4 KiB and last 64
 * bytes in hex.
 *
 * <p>Why is the studio in this process too? A fresh JVM has no {@code
 * sun.net.httpserver.maxReqTime} (the local API sets one in the test JVM), which would cut a long
 * body short.
 */
final class LargeUploadChild {
  private static final int FIRST = 4096;
  private static final int LAST = 64;

  private LargeUploadChild() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    AtomicLong declared = new AtomicLong(-1);
    AtomicLong received = new AtomicLong();
    AtomicReference<String> type = new AtomicReference<>("");
    AtomicReference<byte[]> first = new AtomicReference<>(new byte[0]);
    AtomicReference<byte[]> last = new AtomicReference<>(new byte[0]);
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              declared.set(Long.parseLong(exchange.getRequestHeaders().getFirst("Content-Length")));
              type.set(exchange.getRequestHeaders().getFirst("Content-Type"));
              ByteArrayOutputStream head = new ByteArrayOutputStream();
              byte[] tail = new byte[LAST];
              int tailLength = 0;
              byte[] buffer = new byte[64 * 1024];
              long total = 0;
              InputStream in = exchange.getRequestBody();
              int n;
              while ((n = in.read(buffer)) >= 0) {
                if (head.size() < FIRST) {
                  head.write(buffer, 0, Math.min(n, FIRST - head.size()));
                }
                // Keep the last LAST bytes seen.
                if (n >= LAST) {
                  System.arraycopy(buffer, n - LAST, tail, 0, LAST);
                  tailLength = LAST;
                } else {
                  int keep = Math.min(tailLength, LAST - n);
                  System.arraycopy(tail, tailLength - keep, tail, 0, keep);
                  System.arraycopy(buffer, 0, tail, keep, n);
                  tailLength = keep + n;
                }
                total += n;
              }
              received.set(total);
              first.set(head.toByteArray());
              last.set(Arrays.copyOf(tail, tailLength));
              StandInServer.reply(exchange, 200, "{\"ok\":true}");
            })) {
      Traffic traffic = new Traffic();
      ResultUploader uploader =
          new ResultUploader(
              StudioHttp.client(Duration.ofSeconds(5)),
              studio.url().resolve("/graphics/api"),
              Duration.ofSeconds(60),
              List.of(),
              traffic);
      ResultUploader.Outcome outcome =
          uploader.upload("w-1", "t".repeat(64), "job-big", "a long video", "mp4", file);
      HexFormat hex = HexFormat.of();
      System.out.println("outcome " + outcome);
      System.out.println("declared " + declared.get());
      System.out.println("received " + received.get());
      System.out.println("uploaded " + traffic.uploadBytes());
      System.out.println("type " + type.get());
      System.out.println("first " + hex.formatHex(first.get()));
      System.out.println("last " + hex.formatHex(last.get()));
      System.out.println("maxHeap " + Runtime.getRuntime().maxMemory());
      System.out.flush();
    }
    System.exit(0);
  }
}
