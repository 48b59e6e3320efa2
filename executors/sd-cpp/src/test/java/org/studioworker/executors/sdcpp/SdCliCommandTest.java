package org.studioworker.executors.sdcpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.Task;
import org.studioworker.spi.UnsupportedJobException;

final class SdCliCommandTest {
  private static final CliDefaults DEFAULTS = CliDefaults.of(7.0, 20, 512, 512);

  @Test
  void writesNumbersWithoutExponentOrTrailingZeros() {
    assertThat(SdCliCommand.plain(7.0)).isEqualTo("7");
    assertThat(SdCliCommand.plain(4.5)).isEqualTo("4.5");
    assertThat(SdCliCommand.plain(0.75)).isEqualTo("0.75");
    assertThat(SdCliCommand.plain(0.0)).isEqualTo("0");
    assertThat(SdCliCommand.plain(1e-7)).isEqualTo("0.0000001");
    assertThat(SdCliCommand.plain(1200.0)).isEqualTo("1200");
  }

  @Test
  void refusesAJobWithoutAModelOrDiffusionModelFile() {
    List<SdCliCommand.LocalFile> files =
        List.of(new SdCliCommand.LocalFile(FileRole.VAE, Path.of("/m/vae.safetensors")));

    assertThatThrownBy(() -> build(files))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("needs a model or diffusion-model file");
  }

  @Test
  void passesTheLoraFolderOnceAndRefusesLorasInTwoFolders() throws Exception {
    List<SdCliCommand.LocalFile> oneFolder =
        List.of(
            new SdCliCommand.LocalFile(FileRole.MODEL, Path.of("/m/sd.safetensors")),
            new SdCliCommand.LocalFile(FileRole.LORA, Path.of("/m/loras/a.safetensors")),
            new SdCliCommand.LocalFile(FileRole.LORA, Path.of("/m/loras/b.safetensors")));
    assertThat(build(oneFolder))
        .containsSubsequence("--lora-model-dir", "/m/loras", "-p")
        .containsOnlyOnce("--lora-model-dir");

    List<SdCliCommand.LocalFile> twoFolders =
        List.of(
            new SdCliCommand.LocalFile(FileRole.MODEL, Path.of("/m/sd.safetensors")),
            new SdCliCommand.LocalFile(FileRole.LORA, Path.of("/m/loras/a.safetensors")),
            new SdCliCommand.LocalFile(FileRole.LORA, Path.of("/elsewhere/b.safetensors")));
    assertThatThrownBy(() -> build(twoFolders))
        .isInstanceOf(UnsupportedJobException.class)
        .hasMessageContaining("/m/loras and /elsewhere");
  }

  @Test
  void cliDefaultsWinOnlyWhereTheTaskHoldsTheDefault() {
    CliDefaults model = new CliDefaults(3.5, 28, 1024, 1024, "euler", null, null, null, null, null);
    Task.Image plain = Task.Image.of("x");
    Task.Image chosen =
        new Task.Image("x", null, null, null, null, null, 5.0, "heun", 640, 512, 12, null, "png");

    assertThat(SdCliCommand.width(plain, model)).isEqualTo(1024);
    assertThat(SdCliCommand.height(plain, model)).isEqualTo(1024);
    assertThat(SdCliCommand.steps(plain, model)).isEqualTo(28);
    assertThat(SdCliCommand.cfgScale(plain, model)).isEqualTo(3.5);
    assertThat(SdCliCommand.samplingMethod(plain, model)).isEqualTo("euler");

    assertThat(SdCliCommand.width(chosen, model)).isEqualTo(640);
    assertThat(SdCliCommand.height(chosen, model)).as("512 is the default").isEqualTo(1024);
    assertThat(SdCliCommand.steps(chosen, model)).isEqualTo(12);
    assertThat(SdCliCommand.cfgScale(chosen, model)).isEqualTo(5.0);
    assertThat(SdCliCommand.samplingMethod(chosen, model)).isEqualTo("heun");
    assertThat(SdCliCommand.samplingMethod(plain, DEFAULTS)).isNull();
  }

  private static List<String> build(List<SdCliCommand.LocalFile> files)
      throws UnsupportedJobException {
    return SdCliCommand.build(
        Path.of("/bin/sd-cli"),
        Task.Image.of("x"),
        DEFAULTS,
        files,
        SdCliCommand.InputFiles.NONE,
        Path.of("/tmp/out.png"));
  }
}
