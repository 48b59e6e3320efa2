/**
 * The sd-cpp engine: image jobs ({@code modelSource.engine = sd-cpp}) through
 * stable-diffusion.cpp's {@code sd-cli}, one process per job.
 *
 * <h2>Finding sd-cli</h2>
 *
 * The first executable of: {@code $STUDIO_WORKER_SD_CLI}, {@code <models_root>/bin/sd-cli}, {@code
 * ~/.local/bin/sd-cli}, then each folder of {@code PATH}. When none is found the engine still
 * loads; every image job fails (retryable) with a message that lists where it looked, and the next
 * job looks again, so installing sd-cli needs no restart.
 *
 * <h2>What it serves</h2>
 *
 * The engine cannot know the studio's model ids in advance. It advertises the kind {@code image}
 * with the model ids listed in {@code <models_root>/sd-cpp-models.txt} (one id a line; blank lines
 * and lines starting with {@code #} are skipped), or with an empty list when that file is absent:
 * the studio routes by {@code modelSource.engine} and picks workers by task kind, so an empty list
 * still draws image jobs. It advertises nothing while sd-cli or the Vulkan loader is missing: a
 * worker that would fail every image job should not draw them (each failure costs the studio an
 * attempt). What it serves is re-checked in the background at most every 30 seconds, so the answer
 * never blocks a heartbeat.
 *
 * <h2>The Vulkan loader</h2>
 *
 * sd-cli builds for this worker use ggml's Vulkan backend, which needs {@code libvulkan.so.1}. The
 * engine checks for it without loading it: the usual library folders, {@code LD_LIBRARY_PATH}, then
 * the output of {@code ldconfig -p}. Loading it through {@code java.lang.foreign} would be a
 * restricted call, so every launcher would have to grant this plugin module native access; a file
 * check needs nothing. A missing loader is logged once at start (on {@link System.Logger}), shown
 * by {@code Executor.readiness()} (and {@code SdCppExecutorProvider.preflight()}), and fails each
 * image job at once with the remedy ({@code apt-get install libvulkan1}). That failure is
 * retryable, not {@link org.studioworker.spi.UnsupportedJobException}: the operator can fix it and
 * another worker can take the job.
 *
 * <h2>Arguments</h2>
 *
 * Model files in the studio's order: {@code diffusion-model} → {@code --diffusion-model}, {@code
 * text-encoder} → {@code --llm}, {@code text-encoder-vision} → {@code --llm_vision}, {@code vae} →
 * {@code --vae}, {@code model} → {@code --model}, {@code lora} → {@code --lora-model-dir} with the
 * lora file's folder (once; loras in two folders fail the job, since sd-cli takes one folder; the
 * prompt names the loras). Then {@code -p}, {@code --negative-prompt}, {@code --cfg-scale}, {@code
 * --steps}, {@code -W}, {@code -H}, {@code --seed}, {@code --sampling-method}, {@code
 * --flow-shift}, {@code --qwen-image-zero-cond-t}, {@code --offload-to-cpu}, {@code
 * --diffusion-fa}, {@code --init-img} and {@code --strength}, {@code --mask}, {@code -r}, {@code
 * -o}; absent optional parameters are left out, so sd-cli's own defaults apply (seed 42 when the
 * task has none; strength 0.75 when an init image comes without {@code denoise}).
 *
 * <p>A model's {@code cliDefaults} win where the task still holds the parameter's default: width
 * and height at 512, steps at 20, a null cfgScale, a null samplingMethod. {@code flowShift}, {@code
 * zeroCondT} and {@code offloadToCpu} come from {@code cliDefaults} only. {@code --diffusion-fa}
 * (flash attention in the diffusion model) is passed whenever the job has a {@code diffusion-model}
 * file: every model that sd-cli loads that way is a DiT (Flux, Qwen-Image, Z-Image, Wan) for which
 * it saves memory and time; a single-file {@code model} (SD 1.x, SDXL) runs without it.
 *
 * <h2>Input images</h2>
 *
 * {@code initImageUrl}, {@code maskUrl} and {@code refImageUrl} are downloaded by {@link
 * org.studioworker.spi.net.InputDownloads} (https, or http to a loopback address only, or an inline
 * {@code data:} URL decoded locally; 32 MiB at most; over HTTP/1.1; a body that sends nothing for
 * 60 s fails the job, retryable) into the work folder, named by the SHA-256 of their content, and
 * deleted after the job. JPEG inputs are passed through as {@code .jpg}: sd-cli decodes inputs with
 * stb_image, which reads JPEG and PNG, so this module needs nothing beyond {@code java.base} and
 * {@code java.net.http} (no {@code java.desktop}). Other formats are passed through too, named by
 * their magic bytes; sd-cli's own error says when it cannot read one.
 *
 * <h2>Running</h2>
 *
 * The task's {@code ext} (default {@code webp}, as the original passes {@code -o
 * <scratch>/<pid>-<nanos>.webp}) names the {@code -o} file's extension, from which sd-cli picks the
 * format: {@code png}, {@code webp}, {@code jpg} or {@code jpeg}; any other {@code ext} fails the
 * job as {@link org.studioworker.spi.UnsupportedJobException} before anything runs, since no sd-cpp
 * worker can write it. The bytes are checked by their magic (the PNG signature, {@code
 * RIFF....WEBP}, JPEG's {@code FF D8 FF}) and uploaded with the extension of the format they are
 * in: an older sd-cli that writes PNG whatever the extension gets its PNG sent as {@code png}; a
 * file in none of the three formats fails the job. sd-cli's output and error streams are drained on
 * their own threads, keeping the last 50 lines of each; at most one line every 2 seconds reaches
 * the job's log. A non-zero exit fails the job (retryable) with sd-cli's last non-empty error line.
 * A cancelled job, an interrupted thread or a job past its timeout (30 minutes; {@code
 * STUDIO_WORKER_SD_TIMEOUT_SECS}) stops the whole process tree: every descendant and then sd-cli
 * are asked to stop, and whatever still runs 5 seconds later is killed.
 */
package org.studioworker.executors.sdcpp;
