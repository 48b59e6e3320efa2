package org.studioworker.executors.synthetic;

import java.util.Random;

/** Makes deterministic filler sentences from a small fixed vocabulary. Stateless. */
final class SyntheticProse {
  private static final String[] WORDS = {
    "amber", "harbor", "lantern", "meadow", "copper", "violet", "signal", "orbit",
    "granite", "willow", "ember", "canyon", "silver", "thistle", "beacon", "marble",
    "river", "cobalt", "falcon", "saffron", "glacier", "juniper", "quartz", "tide",
    "pixel", "vector", "sprite", "castle", "forest", "comet", "engine", "puzzle"
  };

  private SyntheticProse() {}

  /**
   * {@code count} words (at least one) drawn from {@code random}, with a capital and a full stop.
   */
  static String sentence(Random random, int count) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.max(1, count); i++) {
      String word = WORDS[random.nextInt(WORDS.length)];
      if (i == 0) {
        out.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
      } else {
        out.append(' ').append(word);
      }
    }
    return out.append('.').toString();
  }

  /** The number of whitespace-separated words, our stand-in for a token count. */
  static int wordCount(String text) {
    int count = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      boolean space = Character.isWhitespace(codePoint);
      if (!space && !inWord) {
        count++;
      }
      inWord = !space;
      i += Character.charCount(codePoint);
    }
    return count;
  }
}
