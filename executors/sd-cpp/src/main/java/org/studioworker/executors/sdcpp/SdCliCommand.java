package org.studioworker.executors.sdcpp;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.Task;
import org.studioworker.spi.UnsupportedJobException;

/**
 * The argument list of one sd-cli run, built from the task, the model's {@code cliDefaults}, the
 * local model files and the downloaded input images. The order is fixed; see the package
 * documentation for each mapping.
 *
 * <p>A pure function; no I/O.
 */
final class SdCliCommand {
  private SdCliCommand() {}

  /** A model file of the job with its local path. */
  record LocalFile(FileRole role, Path path) {
    LocalFile {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(path, "path");
    }
  }

  /** The downloaded input images, each optional. */
  record InputFiles(@Nullable Path initImage, @Nullable Path mask, @Nullable Path refImage) {
    static final InputFiles NONE = new InputFiles(null, null, null);
  }

  /**
   * The full command: the program, then its arguments.
   *
   * @throws UnsupportedJobException when the files cannot make an sd-cli run: no {@code model} or
   *     {@code diffusion-model} file, or loras in more than one folder
   */
  static List<String> build(
      Path program,
      Task.Image task,
      CliDefaults defaults,
      List<LocalFile> files,
      InputFiles inputs,
      Path output)
      throws UnsupportedJobException {
    List<String> args = new ArrayList<>();
    args.add(program.toString());
    boolean hasDiffusionModel = false;
    boolean hasModel = false;
    @Nullable Path loraFolder = null;
    for (LocalFile file : files) {
      switch (file.role()) {
        case DIFFUSION_MODEL -> {
          hasDiffusionModel = true;
          add(args, "--diffusion-model", file.path());
        }
        case TEXT_ENCODER -> add(args, "--llm", file.path());
        case TEXT_ENCODER_VISION -> add(args, "--llm_vision", file.path());
        case VAE -> add(args, "--vae", file.path());
        case MODEL -> {
          hasModel = true;
          add(args, "--model", file.path());
        }
        case LORA -> {
          Path folder = folderOf(file.path());
          if (loraFolder == null) {
            loraFolder = folder;
            add(args, "--lora-model-dir", folder);
          } else if (!loraFolder.equals(folder)) {
            throw new UnsupportedJobException(
                "sd-cli takes loras from one folder, but this job's loras are in "
                    + loraFolder
                    + " and "
                    + folder);
          }
        }
      }
    }
    if (!hasDiffusionModel && !hasModel) {
      throw new UnsupportedJobException(
          "an sd-cpp job needs a model or diffusion-model file; this one names none");
    }

    args.add("-p");
    args.add(task.prompt());
    String negativePrompt = task.negativePrompt();
    if (negativePrompt != null) {
      args.add("--negative-prompt");
      args.add(negativePrompt);
    }
    args.add("--cfg-scale");
    args.add(plain(cfgScale(task, defaults)));
    args.add("--steps");
    args.add(Integer.toString(steps(task, defaults)));
    args.add("-W");
    args.add(Integer.toString(width(task, defaults)));
    args.add("-H");
    args.add(Integer.toString(height(task, defaults)));
    Long seed = task.seed();
    if (seed != null) {
      args.add("--seed");
      args.add(Long.toString(seed));
    }
    String samplingMethod = samplingMethod(task, defaults);
    if (samplingMethod != null) {
      args.add("--sampling-method");
      args.add(samplingMethod);
    }
    Double flowShift = defaults.flowShift();
    if (flowShift != null) {
      args.add("--flow-shift");
      args.add(plain(flowShift));
    }
    if (Boolean.TRUE.equals(defaults.zeroCondT())) {
      args.add("--qwen-image-zero-cond-t");
    }
    if (Boolean.TRUE.equals(defaults.offloadToCpu())) {
      args.add("--offload-to-cpu");
    }
    if (hasDiffusionModel) {
      args.add("--diffusion-fa");
    }
    Path initImage = inputs.initImage();
    if (initImage != null) {
      add(args, "--init-img", initImage);
      Double denoise = task.denoise();
      if (denoise != null) {
        args.add("--strength");
        args.add(plain(denoise));
      }
    }
    Path mask = inputs.mask();
    if (mask != null) {
      add(args, "--mask", mask);
    }
    Path refImage = inputs.refImage();
    if (refImage != null) {
      add(args, "-r", refImage);
    }
    add(args, "-o", output);
    return List.copyOf(args);
  }

  /** The task's width, or the model's when the task still holds the default of 512. */
  static int width(Task.Image task, CliDefaults defaults) {
    return task.width() == Task.DEFAULT_SIZE && defaults.width() > 0
        ? defaults.width()
        : task.width();
  }

  /** The task's height, or the model's when the task still holds the default of 512. */
  static int height(Task.Image task, CliDefaults defaults) {
    return task.height() == Task.DEFAULT_SIZE && defaults.height() > 0
        ? defaults.height()
        : task.height();
  }

  /** The task's steps, or the model's when the task still holds the default of 20. */
  static int steps(Task.Image task, CliDefaults defaults) {
    return task.steps() == Task.Image.DEFAULT_STEPS && defaults.steps() > 0
        ? defaults.steps()
        : task.steps();
  }

  /** The task's cfg scale, or the model's when the task has none. */
  static double cfgScale(Task.Image task, CliDefaults defaults) {
    Double fromTask = task.cfgScale();
    return fromTask != null ? fromTask : defaults.cfgScale();
  }

  /** The task's sampling method, or the model's when the task has none; null: sd-cli's own. */
  static @Nullable String samplingMethod(Task.Image task, CliDefaults defaults) {
    String fromTask = task.samplingMethod();
    return fromTask != null ? fromTask : defaults.samplingMethod();
  }

  /** A number as sd-cli reads it: no exponent, no trailing zeros ({@code 7}, {@code 4.5}). */
  static String plain(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("not a finite number: " + value);
    }
    if (value == 0) {
      return "0";
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static void add(List<String> args, String flag, Path path) {
    args.add(flag);
    args.add(path.toString());
  }

  private static Path folderOf(Path file) {
    Path absolute = file.toAbsolutePath();
    Path parent = absolute.getParent();
    return parent != null ? parent : absolute;
  }
}
