package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.studioworker.runtime.update.SemverTestSupport.v;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.jobs.JobGate;

/** The workers of one installation (one per GPU): one installs an update, the others follow it. */
final class UpdaterSharedInstallationTest {
  private static final String ASSET = "/dl/studio-worker-0.6.0-linux-x64.tar.gz";
  private static final Deadlines PATIENT =
      new Deadlines(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));

  @TempDir Path temp;

  private final KeyPair key = Builds.keyPair();
  private final AtomicReference<WorkerConfig> config = new AtomicReference<>();
  private ReleaseServer server;

  @BeforeEach
  void start() throws Exception {
    server = new ReleaseServer();
    byte[] build = Builds.build("0.6.0");
    server.put(ASSET, build);
    server.put(ASSET + ".sig", Builds.sign(key.getPrivate(), build));
    server.put(
        "/feed",
        "[{\"tag_name\":\"v0.6.0\",\"assets\":[{\"name\":\"studio-worker-0.6.0-linux-x64.tar.gz\","
            + "\"browser_download_url\":\""
            + server.url(ASSET)
            + "\"}]}]");
    config.set(
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .autoUpdateFeed(server.url("/feed").toString())
            .build());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * The race: both workers' rounds start at once. Whichever takes the update lock first reads the
   * feed, downloads and installs; the other skips its round or, when it comes after the install,
   * finds {@code current} moved and follows without a request.
   */
  @Test
  void twoWorkersSeeingANewReleaseAtOnceDownloadAndInstallItOnce() throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0; round < 10; round++) {
        server.requested.clear();
        Path root = installed(temp.resolve("round-" + round));
        Updater first = updater(root, new JobGate());
        Updater second = updater(root, new JobGate());
        CountDownLatch go = new CountDownLatch(1);
        Future<UpdateDecision> a = pool.submit(() -> tickAfter(go, first));
        Future<UpdateDecision> b = pool.submit(() -> tickAfter(go, second));
        go.countDown();
        List<UpdateDecision> decisions =
            List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));

        assertThat(server.requested).as("round %d", round).containsOnlyOnce("/feed", ASSET);
        assertThat(new Installation(root).currentVersion()).hasValue("0.6.0");
        assertThat(root.resolve("state/probation")).hasContent("0.6.0 0.5.0");
        assertThat(decisions)
            .contains(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")))
            .allMatch(
                d ->
                    d.equals(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")))
                        || d.equals(new UpdateDecision.Busy(Updater.ANOTHER_WORKER)));
        // Whichever skipped its round follows on its next tick.
        for (Updater updater : List.of(first, second)) {
          if (!updater.holdsSlot()) {
            assertThat(updater.followInstalled())
                .hasValue(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
          }
          assertThat(updater.holdsSlot()).isTrue();
        }
      }
    }
  }

  @Test
  void theOtherWorkerFollowsTheInstallWhenIdleButNotWhileAJobHoldsItsSlot() throws Exception {
    Path root = installed(temp.resolve("root"));
    Updater installer = updater(root, new JobGate());
    JobGate otherGate = new JobGate();
    Updater other = updater(root, otherGate);
    assertThat(installer.tick()).isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
    List<String> requests = List.copyOf(server.requested);

    try (JobGate.Permit job = otherGate.tryReserve("job-1").orElseThrow()) {
      assertThat(other.followInstalled()).isEmpty();
      assertThat(other.tick()).isEqualTo(new UpdateDecision.Busy("job-1"));
      assertThat(otherGate.holder()).isEqualTo("job-1");
    }

    assertThat(other.followInstalled())
        .hasValue(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
    assertThat(otherGate.holder()).isEqualTo("update");
    assertThat(other.holdsSlot()).isTrue();
    assertThat(server.requested).isEqualTo(requests);
  }

  @Test
  void aRoundAfterAnotherWorkersInstallFollowsItWithoutAnyRequest() throws Exception {
    Path root = installed(temp.resolve("root"));
    assertThat(updater(root, new JobGate()).tick())
        .isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
    List<String> requests = List.copyOf(server.requested);

    JobGate gate = new JobGate();
    assertThat(updater(root, gate).tick())
        .isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
    assertThat(gate.holder()).isEqualTo("update");
    assertThat(server.requested).isEqualTo(requests);
    assertThat(root.resolve("state/probation")).hasContent("0.6.0 0.5.0");
  }

  @Test
  void aWorkerAsNewAsCurrentDoesNotFollowIt() throws Exception {
    Path root = installed(temp.resolve("root"));
    JobGate gate = new JobGate();
    assertThat(updater(root, gate).followInstalled()).isEmpty();
    assertThat(gate.holder()).isNull();
  }

  @Test
  void skipsItsRoundWhileAnUpdaterOfThisProcessHoldsTheLock() throws Exception {
    Path root = installed(temp.resolve("root"));
    Installation installation = new Installation(root);
    Optional<FileLock> held = UpdateLock.tryLock(installation);
    assertThat(held).isPresent();
    try {
      assertThat(updater(root, new JobGate()).tick())
          .isEqualTo(new UpdateDecision.Busy(Updater.ANOTHER_WORKER));
      assertThat(server.requested).isEmpty();
    } finally {
      held.get().release();
    }
    assertThat(updater(root, new JobGate()).tick())
        .isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
  }

  /** Another process holding the lock: a JVM that runs a one-file program and waits for stdin. */
  @Test
  void skipsItsRoundWhileAnotherProcessHoldsTheLock() throws Exception {
    Path root = installed(temp.resolve("root"));
    Path holder = temp.resolve("HoldLock.java");
    Files.writeString(
        holder,
        """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        class HoldLock {
          public static void main(String[] args) throws Exception {
            try (FileChannel c = FileChannel.open(Path.of(args[0]),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
              c.lock();
              System.out.println("locked");
              System.in.read();
            }
          }
        }
        """);
    Files.createDirectories(root.resolve("state"));
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process process =
        new ProcessBuilder(java, holder.toString(), root.resolve("state/update.lock").toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("locked");

      assertThat(updater(root, new JobGate()).tick())
          .isEqualTo(new UpdateDecision.Busy(Updater.ANOTHER_WORKER));
      assertThat(server.requested).isEmpty();

      process.getOutputStream().close();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }
    assertThat(updater(root, new JobGate()).tick())
        .isEqualTo(new UpdateDecision.Updated(v("0.5.0"), v("0.6.0")));
  }

  private static UpdateDecision tickAfter(CountDownLatch go, Updater updater) throws Exception {
    go.await();
    return updater.tick();
  }

  /** An installation root whose {@code current} is 0.5.0, the version the updaters run. */
  private static Path installed(Path root) throws Exception {
    Files.createDirectories(root.resolve("versions/0.5.0/bin"));
    new Installation(root).switchCurrent("0.5.0");
    return root;
  }

  private Updater updater(Path root, JobGate gate) {
    UpdateHttp http = new UpdateHttp(AutoUpdate.client(), PATIENT);
    return new Updater(
        config::get,
        v("0.5.0"),
        new Installation(root),
        gate,
        http,
        new ReleaseDownload(http, new TrustedKeys(List.of(key.getPublic()))));
  }
}
