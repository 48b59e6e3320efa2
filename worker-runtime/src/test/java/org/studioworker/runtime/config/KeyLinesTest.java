package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

final class KeyLinesTest {
  @Test
  void findsTopLevelKeysAndSkipsStringsCommentsArraysAndTables() {
    String text =
        """
        # a comment: fake = 1
        api_base_url = "http://h/" # trailing = comment
        notes = \"\"\"
        worker_id = "inside a multi-line string"
        \"\"\"
        "quoted key" = 1
        'literal key' = 2
        dotted.part = 3
        list = [
          "auth_token = x",
        ]
        auth_token = "t"
        [table]
        install_id = "inside the table"
        [[array.of.tables]]
        """;

    KeyLines lines = KeyLines.of(text);

    assertThat(lines.line("api_base_url")).isEqualTo(OptionalInt.of(2));
    assertThat(lines.line("notes")).isEqualTo(OptionalInt.of(3));
    assertThat(lines.line("worker_id")).isEmpty();
    assertThat(lines.line("quoted key")).isEqualTo(OptionalInt.of(6));
    assertThat(lines.line("literal key")).isEqualTo(OptionalInt.of(7));
    assertThat(lines.line("dotted")).isEqualTo(OptionalInt.of(8));
    assertThat(lines.line("list")).isEqualTo(OptionalInt.of(9));
    assertThat(lines.line("auth_token")).isEqualTo(OptionalInt.of(12));
    assertThat(lines.line("table")).isEqualTo(OptionalInt.of(13));
    assertThat(lines.line("install_id")).isEmpty();
    assertThat(lines.line("array")).isEqualTo(OptionalInt.of(15));
    assertThat(lines.line("fake")).isEmpty();
  }
}
