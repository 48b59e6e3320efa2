package org.studioworker.runtime.jobs;

/** Names of the per-model folders under {@code models_root}. */
final class ModelFolders {
  private ModelFolders() {}

  /**
   * A model id as a single safe folder name: letters, digits, {@code . _ -} kept, anything else
   * becomes {@code _}; never empty, never {@code .} or {@code ..}.
   */
  static String sanitise(String modelId) {
    StringBuilder out = new StringBuilder(modelId.length());
    for (int i = 0; i < modelId.length(); i++) {
      char c = modelId.charAt(i);
      boolean safe =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      out.append(safe ? c : '_');
    }
    String name = out.toString();
    if (name.isEmpty() || name.chars().allMatch(c -> c == '.')) {
      return "_" + name;
    }
    return name.length() > 120 ? name.substring(0, 120) : name;
  }
}
