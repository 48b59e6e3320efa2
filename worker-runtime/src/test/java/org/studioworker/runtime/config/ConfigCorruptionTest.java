package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * A corrupted config file never makes the reader leak a secret, and never throws anything but
 * {@link ConfigException}.
 */
final class ConfigCorruptionTest {
  private static final String AUTH_TOKEN = "tok-5f2a9c1e7b3d4a6f8e0c2b4d6f8a0c2e";
  private static final String REGISTRATION_SECRET = "9d".repeat(8) + "c4e1".repeat(6);
  private static final String LOCAL_API_TOKEN = "lat-Q7wX2mZ9pL4vR8nT";

  /** Pieces of the secrets that must never show; a cut or edited copy still holds one. */
  private static final List<String> FRAGMENTS =
      List.of(
          AUTH_TOKEN.substring(0, 12),
          AUTH_TOKEN.substring(AUTH_TOKEN.length() - 12),
          REGISTRATION_SECRET.substring(0, 12),
          REGISTRATION_SECRET.substring(REGISTRATION_SECRET.length() - 12),
          LOCAL_API_TOKEN.substring(0, 10),
          LOCAL_API_TOKEN.substring(LOCAL_API_TOKEN.length() - 10));

  /** Characters that break TOML in many ways: quotes, brackets, escapes, digits, exponents. */
  private static final String MUTATIONS = "\"'=[]{}#.,\\\n 0-9e+_xtrfnai\u0000\u00e9";

  @TempDir Path dir;

  private static String validFile() {
    WorkerConfig config =
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .apiBaseUrl("http://127.0.0.1:8787/studio")
            .workerId("w-1")
            .authToken(AUTH_TOKEN)
            .wsReconnectAttempts(5)
            .localApiPort(8123)
            .localApiToken(LOCAL_API_TOKEN)
            .installId("8a2e4c6f-0000-4000-8000-000000000001")
            .registrationRequestId("rr-1")
            .registrationSecret(REGISTRATION_SECRET)
            .build();
    return ConfigMapping.toToml(config);
  }

  private record Edit(int at, int pick, String how) {}

  @Test
  void noCorruptionLeaksASecretOrThrowsAnythingElse() throws Exception {
    String valid = validFile();
    Gen<Edit> edit =
        integers()
            .between(0, valid.length())
            .zip(
                integers().between(0, MUTATIONS.length() - 1),
                Generate.pick(List.of("insert", "replace", "delete", "cut", "double", "swap")),
                Edit::new);
    Gen<List<Edit>> edits = lists().of(edit).ofSizeBetween(1, 4);
    Path file = dir.resolve("config.toml");
    ConfigStore store = new ConfigStore(file);

    qt().withExamples(3_000)
        .forAll(edits)
        .checkAssert(
            list -> {
              String text = valid;
              for (Edit e : list) {
                text = corrupt(text, e);
              }
              write(file, text);
              ConfigStore.Loaded[] loaded = new ConfigStore.Loaded[1];
              Throwable thrown = catchThrowable(() -> loaded[0] = store.read());
              if (thrown != null) {
                assertThat(thrown).isExactlyInstanceOf(ConfigException.class);
                assertThat(thrown.getMessage()).startsWith("config file " + file);
                assertDoesNotLeak(thrown);
              } else {
                for (String warning : loaded[0].warnings()) {
                  assertNoFragment(warning);
                }
              }
            });
  }

  @Test
  void aSecretWhereANumberGoesIsNotQuoted() throws Exception {
    Path file = dir.resolve("config.toml");
    for (String key : List.of("vram_threshold_gb", "local_api_port", "ws_reconnect_attempts")) {
      String text =
          validFile().replaceAll("(?m)^" + key + " = .*$", key + " = \"" + AUTH_TOKEN + "\"");
      write(file, text);

      Throwable thrown = catchThrowable(() -> new ConfigStore(file).load());

      int line = text.substring(0, text.indexOf(key + " = ")).split("\n", -1).length;
      assertThat(thrown)
          .isExactlyInstanceOf(ConfigException.class)
          .hasMessageContaining(", line " + line + ": key " + key + " must be");
      assertDoesNotLeak(thrown);
    }
  }

  private static String corrupt(String text, Edit e) {
    int at = Math.min(e.at(), text.length());
    int end = Math.min(at + 1, text.length());
    char c = MUTATIONS.charAt(e.pick());
    return switch (e.how()) {
      case "insert" -> text.substring(0, at) + c + text.substring(at);
      case "replace" -> text.substring(0, at) + c + text.substring(end);
      case "delete" -> text.substring(0, at) + text.substring(end);
      case "cut" -> text.substring(0, at);
      case "double" -> {
        // The line holding `at` twice: a duplicate key.
        int start = text.lastIndexOf('\n', Math.max(at - 1, 0)) + 1;
        int stop = text.indexOf('\n', at);
        String line = text.substring(start, stop < 0 ? text.length() : stop + 1);
        yield text.substring(0, start) + line + text.substring(start);
      }
      default -> {
        // The line holding `at` moved to the end, under any table a corruption opened.
        int start = text.lastIndexOf('\n', Math.max(at - 1, 0)) + 1;
        int stop = text.indexOf('\n', at);
        String line = text.substring(start, stop < 0 ? text.length() : stop + 1);
        yield text.substring(0, start)
            + text.substring(start + line.length())
            + (line.endsWith("\n") ? line : line + "\n");
      }
    };
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertDoesNotLeak(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertNoFragment(String.valueOf(t.getMessage()));
      assertNoFragment(t.toString());
    }
  }

  private static void assertNoFragment(String text) {
    for (String fragment : FRAGMENTS) {
      assertThat(text).doesNotContain(fragment);
    }
  }
}
