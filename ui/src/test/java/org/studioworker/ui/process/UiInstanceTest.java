package org.studioworker.ui.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One UI per config directory, across processes: the second launch raises the first and exits. */
final class UiInstanceTest {
  private static final Duration CHILD_WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** Runs a second launch in its own JVM and returns what it said; it must exit 0. */
  private String secondLaunch(Path config, String name) throws Exception {
    Path log = dir.resolve(name + ".log");
    Process child = ChildJvm.start(UiClaimChild.class, log, config.toString());
    try {
      assertThat(child.waitFor(CHILD_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(child.exitValue()).as(output).isZero();
    return output + "\nexited pid " + child.pid();
  }

  @Test
  void aSecondLaunchInAnotherJvmSeesTheLockHeldAndWritesItsPidToUiRaise() throws Exception {
    Path config = dir.resolve("config.toml");
    try (UiInstance first = UiInstance.claim(config).orElseThrow()) {
      Path log = dir.resolve("second.log");
      Process child = ChildJvm.start(UiClaimChild.class, log, config.toString());
      assertThat(child.waitFor(CHILD_WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(child.exitValue()).as(output).isZero();
      assertThat(output).contains("held pid " + child.pid());
      // No watcher runs yet, so the request is still there to read.
      assertThat(dir.resolve("ui.raise")).hasContent(child.pid() + "\n");
      assertThat(first).isNotNull();
    }
  }

  @Test
  void theRunningUiRaisesWithinAPollOfEachSecondLaunch() throws Exception {
    Path config = dir.resolve("config.toml");
    AtomicInteger raised = new AtomicInteger();
    try (UiInstance first = UiInstance.claim(config).orElseThrow()) {
      first.onRaise(raised::incrementAndGet);

      assertThat(secondLaunch(config, "second")).contains("held pid");
      await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(raised).hasValue(1));
      assertThat(dir.resolve("ui.raise")).doesNotExist();

      assertThat(secondLaunch(config, "third")).contains("held pid");
      await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(raised).hasValue(2));
    }
  }

  @Test
  void afterCloseANewLaunchClaimsTheUiAndNoRaiseFollows() throws Exception {
    Path config = dir.resolve("config.toml");
    AtomicInteger raised = new AtomicInteger();
    UiInstance first = UiInstance.claim(config).orElseThrow();
    first.onRaise(raised::incrementAndGet);
    first.close();
    first.close(); // a second close is harmless

    assertThat(secondLaunch(config, "second")).contains("claimed pid");
    Files.writeString(dir.resolve("ui.raise"), "123\n");
    try (UiInstance again = UiInstance.claim(config).orElseThrow()) {
      // A request left for a UI that has gone does not raise the new one.
      assertThat(dir.resolve("ui.raise")).doesNotExist();
      assertThat(again).isNotNull();
    }
    assertThat(raised).hasValue(0);
  }

  @Test
  void aSecondClaimInTheSameJvmSeesTheLockHeld() throws Exception {
    Path config = dir.resolve("config.toml");
    try (UiInstance first = UiInstance.claim(config).orElseThrow()) {
      assertThat(UiInstance.claim(config)).isEmpty();
      // The refused claim closed a channel of its own on ui.lock; the first one's lock stands.
      assertThat(secondLaunch(config, "second")).contains("held pid");
      assertThat(first).isNotNull();
    }
  }

  @Test
  void aRaiseFileIsReadNoFurtherThanAPidLine() throws Exception {
    Path raise = dir.resolve("ui.raise");
    Files.writeString(raise, "4242\n");
    assertThat(UiInstance.readRaise(raise)).isEqualTo("4242");
    Files.writeString(raise, "9".repeat(1 << 20));
    assertThat(UiInstance.readRaise(raise)).hasSize(UiInstance.RAISE_LIMIT);
    Files.writeString(raise, "not a pid");
    assertThat(UiInstance.readRaise(raise)).isEmpty();
    Files.delete(raise);
    assertThat(Optional.ofNullable(UiInstance.readRaise(raise))).isEmpty();
  }
}
