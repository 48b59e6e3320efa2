package org.studioworker.runtime.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.daemon.ChildWorker;

/**
 * The notifier in a JVM started as the launchers start the product: on the module path, with native
 * access granted by name. The other tests run on the class path, where surefire grants it to every
 * unnamed module.
 */
final class SdNotifyModulePathTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void withTheLaunchersFlagTheModuleNotifiesAndTheJvmWarnsOfNothing() throws Exception {
    try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
      Child child = run("org.studioworker.gpu,org.studioworker.runtime", systemd.address());

      assertThat(child.exit()).as(child.output()).isZero();
      assertThat(systemd.receive(WAIT)).isEqualTo("READY=1");
      assertThat(child.output()).doesNotContain("WARNING");
    }
  }

  @Test
  void withoutItTheWorkerNamesTheMissingFlagAndCallsNothingRestricted() throws Exception {
    try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
      Child child = run("org.studioworker.gpu", systemd.address());

      assertThat(child.exit()).isEqualTo(1);
      assertThat(child.output())
          .contains("--enable-native-access=org.studioworker.runtime")
          .doesNotContain("restricted method");
      assertThat(systemd.receive(Duration.ofMillis(100))).isNull();
    }
  }

  private record Child(int exit, String output) {}

  private Child run(String nativeAccess, String notifySocket) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=" + nativeAccess);
    command.add("--module-path");
    command.add(
        String.join(
            File.pathSeparator,
            ChildWorker.runtimeModulePath().stream().map(Path::toString).toList()));
    // The entry point lives with the tests: patched into the runtime module.
    command.add("--patch-module");
    command.add("org.studioworker.runtime=" + Path.of("target", "test-classes").toAbsolutePath());
    command.add("-m");
    command.add("org.studioworker.runtime/" + NotifyOnceMain.class.getName());
    Path output = dir.resolve("output");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("NOTIFY_SOCKET", notifySocket);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the child JVM did not exit within 60 s");
    }
    return new Child(process.exitValue(), Files.readString(output));
  }
}
