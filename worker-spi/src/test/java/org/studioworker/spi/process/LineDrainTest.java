package org.studioworker.spi.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class LineDrainTest {
  @Test
  void splitsAtNewlinesAndCarriageReturnsAndSkipsEmptyLines() {
    List<String> lines = new ArrayList<>();
    byte[] out = "loading\n |==> 1/4\r |====> 2/4\r\ndone".getBytes(StandardCharsets.UTF_8);

    LineDrain.drain(new ByteArrayInputStream(out), lines::add);

    assertThat(lines).containsExactly("loading", " |==> 1/4", " |====> 2/4", "done");
  }

  @Test
  void cutsALineLongerThanTheLimit() {
    List<String> lines = new ArrayList<>();
    byte[] out =
        ("x".repeat(LineDrain.MAX_LINE + 100) + "\nnext\n").getBytes(StandardCharsets.UTF_8);

    LineDrain.drain(new ByteArrayInputStream(out), lines::add);

    assertThat(lines).containsExactly("x".repeat(LineDrain.MAX_LINE), "next");
  }

  @Test
  void aTailKeepsOnlyTheLastLines() {
    LineTail tail = new LineTail(2);
    tail.add("one");
    tail.add("two");
    tail.add("  ");
    tail.add("three ");

    assertThat(tail.lines()).containsExactly("two", "three ");
    assertThat(tail.last()).contains("three");
  }
}
