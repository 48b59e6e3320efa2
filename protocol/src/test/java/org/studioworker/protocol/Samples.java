package org.studioworker.protocol;

import java.util.List;
import java.util.Map;
import org.studioworker.spi.Claim;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;

/** Fixed values and their literal JSON, shared by the contract tests. */
final class Samples {
  static final String SECRET = "s3cr3t-token-value";

  static final Capabilities CAPABILITIES =
      new Capabilities(
          "gpu-box",
          "ana",
          "0.5.0",
          "multi",
          24.0,
          12.5,
          true,
          false,
          List.of("sdxl", "llama-3", "sdxl"),
          List.of(TaskKind.IMAGE, TaskKind.LLM),
          Map.of("llm", List.of("llama-3"), "image", List.of("sdxl")),
          null,
          null,
          null,
          null);

  static final String CAPABILITIES_JSON =
      """
      {"machineName":"gpu-box","username":"ana","agentVersion":"0.5.0","engine":"multi",
       "vramTotalGb":24.0,"vramThresholdGb":12.5,"autoEnabled":true,"autoStart":false,
       "supportedModels":["llama-3","sdxl"],"taskKinds":["image","llm"],
       "supportedModelsPerKind":{"image":["sdxl"],"llm":["llama-3"]}}
      """;

  /** A model source; a method, so that only the tests that need EngineId load it. */
  static ModelSource modelSource() {
    return new ModelSource(
        EngineId.SD_CPP,
        List.of(
            new ModelFile(
                FileRole.DIFFUSION_MODEL,
                "https://models.example/sdxl.gguf",
                "sdxl.gguf",
                6_938_040_682L,
                "ab".repeat(32)),
            new ModelFile(
                FileRole.VAE, "https://models.example/vae.safetensors", "vae.st", null, null)),
        CliDefaults.of(7.0, 30, 1024, 1024));
  }

  static final String MODEL_SOURCE_JSON =
      """
      {"engine":"sd-cpp",
       "files":[{"role":"diffusion-model","url":"https://models.example/sdxl.gguf",
                 "filename":"sdxl.gguf","approxBytes":6938040682,"sha256":"%s"},
                {"role":"vae","url":"https://models.example/vae.safetensors","filename":"vae.st"}],
       "cliDefaults":{"cfgScale":7.0,"steps":30,"width":1024,"height":1024}}
      """
          .formatted("ab".repeat(32));

  static Claim claim() {
    return new Claim(
        "job-1", "game-7", "hero.png", "sdxl", 8.5, Task.Image.of("a red fox"), modelSource());
  }

  static final String CLAIM_JSON =
      """
      {"jobId":"job-1","gameId":"game-7","assetName":"hero.png","model":"sdxl","vramGbEstimate":8.5,
       "task":{"kind":"image","prompt":"a red fox","width":512,"height":512,"steps":20,"ext":"webp"},
       "modelSource":%s}
      """
          .formatted(MODEL_SOURCE_JSON);

  static final String OFFER_JSON = "{\"type\":\"offer\",\"claim\":" + CLAIM_JSON + "}";

  static final String HELLO_JSON =
      "{\"type\":\"hello\",\"authToken\":\""
          + SECRET
          + "\",\"capabilities\":"
          + CAPABILITIES_JSON
          + "}";

  private Samples() {}
}
