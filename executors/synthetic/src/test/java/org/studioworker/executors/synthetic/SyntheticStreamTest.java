package org.studioworker.executors.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;
import org.studioworker.spi.UnsupportedJobException;
import tools.jackson.databind.json.JsonMapper;

/** {@code stream}: the answer word by word, then exactly what {@code run} returns. */
final class SyntheticStreamTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SyntheticExecutor executor = new SyntheticExecutor();

  @Test
  void streamsTheContentWordByWordAndReturnsWhatRunReturns() throws Exception {
    Task.Llm task =
        Task.Llm.of(
            List.of(new ChatMessage("user", "  two  spaces,\na line\tand a fox \uD83E\uDD8A ")));
    List<String> pieces = new ArrayList<>();

    JobResult streamed =
        executor.stream(Claims.synthetic(task), FakeJobContext.running(), pieces::add);
    JobResult run = executor.run(Claims.synthetic(task), FakeJobContext.running());

    assertThat(streamed).isEqualTo(run);
    String content =
        JSON.readTree(((JobResult.Json) streamed).json().json())
            .get("choices")
            .get(0)
            .get("message")
            .get("content")
            .asString();
    assertThat(String.join("", pieces)).isEqualTo(content);
    assertThat(pieces).hasSizeGreaterThan(8).startsWith("Synthetic ", "reply ", "to ");
  }

  @Test
  void anAnswerCutAtMaxTokensStreamsTheCutContent() throws Exception {
    Task.Llm task =
        new Task.Llm(
            List.of(new ChatMessage("user", "hello")), null, 3, 0.7, null, null, null, null, null);
    List<String> pieces = new ArrayList<>();

    executor.stream(Claims.synthetic(task), FakeJobContext.running(), pieces::add);

    assertThat(pieces).containsExactly("Synthetic ", "reply ", "to");
  }

  @Test
  void aReaderThatWentAwayEndsTheJob() {
    List<String> pieces = new ArrayList<>();

    assertThatThrownBy(
            () ->
                executor.stream(
                    Claims.synthetic(Claims.chat("hello")),
                    FakeJobContext.running(),
                    piece -> {
                      if (pieces.size() == 2) {
                        throw new IOException("Broken pipe");
                      }
                      pieces.add(piece);
                    }))
        .isInstanceOf(ExecutorException.class)
        .isNotInstanceOf(UnsupportedJobException.class)
        .hasMessage("the caller went away: Broken pipe");
    assertThat(pieces).hasSize(2);
  }

  @Test
  void aCancelledJobStopsBetweenPieces() {
    List<String> pieces = new ArrayList<>();
    // The first check is the job's own, then one before each piece.
    FakeJobContext context = FakeJobContext.cancelledAfter(4);

    assertThatThrownBy(
            () -> executor.stream(Claims.synthetic(Claims.chat("hello")), context, pieces::add))
        .isInstanceOf(InterruptedException.class);
    assertThat(pieces).hasSize(3);
  }

  @Test
  void otherKindsRunAsRunAndStreamNothing() throws Exception {
    List<String> pieces = new ArrayList<>();
    Task image = Claims.image("a red fox", 8, 8, "png");

    JobResult streamed =
        executor.stream(Claims.synthetic(image), FakeJobContext.running(), pieces::add);

    assertThat(streamed).isEqualTo(executor.run(Claims.synthetic(image), FakeJobContext.running()));
    assertThat(pieces).isEmpty();
  }

  @Test
  void thePiecesOfAnyTextConcatenateToIt() {
    qt().withExamples(500)
        .forAll(strings().allPossible().ofLengthBetween(0, 40))
        .check(text -> String.join("", ChatCompletionProducer.pieces(text)).equals(text));
    assertThat(ChatCompletionProducer.pieces(" a  b\n")).containsExactly(" ", "a  ", "b\n");
    assertThat(ChatCompletionProducer.pieces("")).isEmpty();
  }
}
