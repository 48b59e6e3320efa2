package org.studioworker.executors.sdcpp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.Claim;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;
import org.studioworker.spi.net.InputDownloads;
import org.studioworker.spi.process.ProgramLocator;

/**
 * Runs image jobs through {@code sd-cli}, one process per job (see the package documentation for
 * the argument contract and every choice behind it).
 *
 * <p>{@link #serves()} never blocks: it answers from the last check and starts a new one in the
 * background when that is older than the refresh interval. {@link #run} blocks for the whole job;
 * the runtime runs one job at a time. Thread-safe.
 */
final class SdCliExecutor implements Executor {
  static final String PROGRAM = "sd-cli";
  static final String PROGRAM_VAR = "STUDIO_WORKER_SD_CLI";

  /** How many first bytes tell the image's format ({@link OutputFormat#of}). */
  private static final int MAGIC_BYTES = 12;

  /** What the engine found the last time it looked. */
  record Readiness(
      ProgramLocator.Located program,
      VulkanLoaderProbe.Check vulkan,
      List<String> models,
      long checkedAt) {
    Readiness {
      models = List.copyOf(models);
    }

    boolean isReady() {
      return program.program() != null && vulkan.ok();
    }
  }

  private final Map<String, String> env;
  private final Path modelsRoot;
  private final Path workDir;

  /** Set on every sd-cli run, over the worker's environment (the pinned GPU). */
  private final Map<String, String> processEnv;

  private final SdCppSettings settings;
  private final ProgramLocator locator = new ProgramLocator(PROGRAM, PROGRAM_VAR);
  private final VulkanLoaderProbe vulkan;
  private final InputDownloads inputDownloads;
  private final LongSupplier nanoTime;

  /** The last check; replaced whole, never null. */
  private final AtomicReference<Readiness> readiness;

  /** True while a background check runs; at most one at a time. */
  private final AtomicBoolean refreshing = new AtomicBoolean();

  SdCliExecutor(
      Map<String, String> env,
      Path modelsRoot,
      Path workDir,
      SdCppSettings settings,
      VulkanLoaderProbe vulkan,
      InputDownloads inputDownloads,
      LongSupplier nanoTime) {
    this(env, modelsRoot, workDir, Map.of(), settings, vulkan, inputDownloads, nanoTime);
  }

  SdCliExecutor(
      Map<String, String> env,
      Path modelsRoot,
      Path workDir,
      Map<String, String> processEnv,
      SdCppSettings settings,
      VulkanLoaderProbe vulkan,
      InputDownloads inputDownloads,
      LongSupplier nanoTime) {
    this.env = Map.copyOf(env);
    this.modelsRoot = modelsRoot;
    this.workDir = workDir;
    this.processEnv = Map.copyOf(processEnv);
    this.settings = settings;
    this.vulkan = vulkan;
    this.inputDownloads = inputDownloads;
    this.nanoTime = nanoTime;
    this.readiness = new AtomicReference<>(check());
  }

  /** The last check, for the start-up log. */
  Readiness lastCheck() {
    return readiness.get();
  }

  /** {@code ok} when sd-cli and the Vulkan loader are there, else what is missing and the fix. */
  @Override
  public String readiness() {
    Readiness now = readiness.get();
    if (now.isReady()) {
      return "ok";
    }
    List<String> missing = new ArrayList<>(2);
    if (now.program().program() == null) {
      missing.add(locator.notFound(now.program()));
    }
    if (!now.vulkan().ok()) {
      missing.add(now.vulkan().detail());
    }
    return String.join("; ", missing);
  }

  /** One line that says whether image jobs can run here, and if not, what to do. */
  String describe() {
    Readiness now = readiness.get();
    String program =
        now.program().path().map(p -> PROGRAM + " " + p).orElse(locator.searched(now.program()));
    return program + "; " + now.vulkan().detail();
  }

  @Override
  public Map<TaskKind, List<String>> serves() {
    Readiness now = readiness.get();
    if (nanoTime.getAsLong() - now.checkedAt() >= settings.refreshInterval().toNanos()) {
      refreshInBackground();
    }
    return now.isReady() ? Map.of(TaskKind.IMAGE, now.models()) : Map.of();
  }

  @Override
  public JobResult run(Claim claim, JobContext context)
      throws ExecutorException, InterruptedException {
    EngineId engine = claim.modelSource().engine();
    if (!engine.equals(EngineId.SD_CPP)) {
      throw new UnsupportedJobException(
          "the sd-cpp engine runs only jobs whose modelSource.engine is sd-cpp, not " + engine);
    }
    if (!(claim.task() instanceof Task.Image image)) {
      throw new UnsupportedJobException(
          "the sd-cpp engine runs only image jobs, not " + claim.task().kind());
    }
    OutputFormat asked = OutputFormat.forExt(image.ext());
    String askedExt = image.ext().toLowerCase(Locale.ROOT);
    Readiness now = check();
    readiness.set(now);
    Path program = now.program().program();
    if (program == null) {
      throw new ExecutorException(locator.notFound(now.program()));
    }
    if (!now.vulkan().ok()) {
      throw new ExecutorException("sd-cli cannot use the GPU: " + now.vulkan().detail());
    }
    checkCancelled(context);

    List<SdCliCommand.LocalFile> files = new ArrayList<>();
    for (ModelFile file : claim.modelSource().files()) {
      files.add(new SdCliCommand.LocalFile(file.role(), context.modelFile(file)));
      checkCancelled(context);
    }

    Path jobDir = createJobDir();
    try {
      SdCliCommand.InputFiles inputs = download(image, jobDir, context);
      // sd-cli picks the format from this extension, as the original's <pid>-<nanos>.webp does.
      Path output = Files.createTempFile(jobDir, "sd-", "." + askedExt);
      List<String> command =
          SdCliCommand.build(
              program, image, claim.modelSource().cliDefaults(), files, inputs, output);
      context
          .log()
          .info(
              "sd-cli "
                  + SdCliCommand.width(image, claim.modelSource().cliDefaults())
                  + "x"
                  + SdCliCommand.height(image, claim.modelSource().cliDefaults())
                  + ", "
                  + SdCliCommand.steps(image, claim.modelSource().cliDefaults())
                  + " steps, "
                  + files.size()
                  + " model files");
      ProcessRun run = start(command, jobDir, context);
      ProcessRun.Outcome outcome = run.await(context::isCancelled, settings.jobTimeout());
      return switch (outcome) {
        case ProcessRun.Outcome.Exited(int status) when status == 0 ->
            handOver(output, run, asked, askedExt, context);
        case ProcessRun.Outcome.Exited(int status) ->
            throw new ExecutorException(
                "sd-cli failed with exit status " + status + ": " + lastLine(run));
        case ProcessRun.Outcome.Cancelled() ->
            throw new InterruptedException("the job was cancelled; sd-cli was stopped");
        case ProcessRun.Outcome.TimedOut(var limit) ->
            throw new ExecutorException(
                "sd-cli ran past the job timeout of " + limit.toSeconds() + " s and was stopped");
      };
    } catch (IOException e) {
      throw new ExecutorException("could not prepare the sd-cli run in " + jobDir, e);
    } finally {
      deleteTree(jobDir);
    }
  }

  /** Holds no process between jobs. */
  @Override
  public void close() {}

  private ProcessRun start(List<String> command, Path jobDir, JobContext context)
      throws ExecutorException {
    ProgressLog out = new ProgressLog(context.log()::info, settings.logInterval(), nanoTime);
    ProgressLog err = new ProgressLog(context.log()::warn, settings.logInterval(), nanoTime);
    try {
      return ProcessRun.start(command, jobDir, processEnv, settings.killGrace(), out, err);
    } catch (IOException e) {
      throw new ExecutorException("could not start " + command.getFirst() + ": " + e.getMessage());
    }
  }

  private SdCliCommand.InputFiles download(Task.Image image, Path jobDir, JobContext context)
      throws ExecutorException, InterruptedException {
    Path init = fetch("initImageUrl", image.initImageUrl(), jobDir, context);
    Path mask = fetch("maskUrl", image.maskUrl(), jobDir, context);
    Path ref = fetch("refImageUrl", image.refImageUrl(), jobDir, context);
    return new SdCliCommand.InputFiles(init, mask, ref);
  }

  private @Nullable Path fetch(String what, @Nullable String url, Path jobDir, JobContext context)
      throws ExecutorException, InterruptedException {
    if (url == null) {
      return null;
    }
    checkCancelled(context);
    Path file = inputDownloads.fetch(what, url, jobDir.resolve("inputs"));
    context.log().info(what + " downloaded (" + file.getFileName() + ")");
    return file;
  }

  /**
   * The image sd-cli wrote, handed over as a file with the extension of its real format: the one
   * asked for when the magic matches it, else the one the magic shows (an older sd-cli writes PNG
   * whatever the extension). Reads only the first bytes; the file is moved out of the job's folder
   * (deleted after the run) to a name of its own next to it, which the runtime deletes once it has
   * delivered the result.
   */
  private JobResult handOver(
      Path output, ProcessRun run, OutputFormat asked, String askedExt, JobContext context)
      throws ExecutorException {
    byte[] magic;
    try (InputStream in = Files.newInputStream(output)) {
      magic = in.readNBytes(MAGIC_BYTES);
    } catch (IOException e) {
      throw new ExecutorException("sd-cli exited normally but its image cannot be read", e);
    }
    if (magic.length == 0) {
      throw new ExecutorException("sd-cli exited normally but wrote no image: " + lastLine(run));
    }
    OutputFormat real = OutputFormat.of(magic);
    if (real == null) {
      throw new ExecutorException(
          "sd-cli was asked for " + askedExt + " but wrote a file that is not a PNG, WebP or JPEG");
    }
    String ext = askedExt;
    if (real != asked) {
      context
          .log()
          .warn("sd-cli was asked for " + askedExt + " but wrote " + real.ext() + "; sending that");
      ext = real.ext();
    }
    Path result = null;
    try {
      // In the engine's folder, on the job folder's file system: the move is a rename.
      result = Files.createTempFile(engineDir(), "result-", "." + ext);
      Files.move(output, result, StandardCopyOption.REPLACE_EXISTING);
      return new JobResult.File(result, ext);
    } catch (IOException e) {
      if (result != null) {
        deleteTree(result);
      }
      throw new ExecutorException("sd-cli wrote its image but it cannot be kept for upload", e);
    }
  }

  /** sd-cli's last error line, or its last output line when it wrote no error. */
  private static String lastLine(ProcessRun run) {
    return run.stderr().last().or(() -> run.stdout().last()).orElse("it printed nothing");
  }

  private static void checkCancelled(JobContext context) throws InterruptedException {
    if (context.isCancelled() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedException("the job was cancelled");
    }
  }

  /** The engine's folder under the work folder: the jobs' folders and the results handed over. */
  private Path engineDir() {
    return workDir.resolve("sd-cpp");
  }

  /** A private folder for one job's inputs and output (0700 where the file system has modes). */
  private Path createJobDir() throws ExecutorException {
    Path parent = engineDir();
    try {
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, "job-");
    } catch (IOException e) {
      throw new ExecutorException("could not create a folder for the job under " + parent, e);
    }
  }

  /** Deletes the job's folder; a file that will not go is left behind, never thrown about. */
  private static void deleteTree(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          // Left behind; the next job uses a new folder.
        }
      }
    } catch (IOException e) {
      // Nothing to delete, or the folder cannot be listed: left behind.
    }
  }

  /** Looks for sd-cli, the Vulkan loader and the model list; blocks briefly. */
  private Readiness check() {
    return new Readiness(
        locator.locate(env, modelsRoot),
        vulkan.check(),
        ModelList.read(modelsRoot),
        nanoTime.getAsLong());
  }

  private void refreshInBackground() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual()
        .name("sd-cpp-readiness")
        .start(
            () -> {
              try {
                readiness.set(check());
              } finally {
                refreshing.set(false);
              }
            });
  }
}
