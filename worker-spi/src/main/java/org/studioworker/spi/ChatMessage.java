package org.studioworker.spi;

import java.util.Objects;

/**
 * One message of an {@code llm} conversation.
 *
 * @param role who speaks: {@code system}, {@code user}, {@code assistant} or another role the
 *     engine knows
 * @param content the text of the message
 */
public record ChatMessage(String role, String content) {
  /** Rejects nulls. */
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
