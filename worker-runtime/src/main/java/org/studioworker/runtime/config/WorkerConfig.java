package org.studioworker.runtime.config;

import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The worker's config file (PROTOCOL.md §6), as values.
 *
 * <p>Immutable; change it with the {@code with…} methods and save it with {@link ConfigStore}. The
 * secrets ({@code authToken}, {@code registrationSecret}, {@code localApiToken}) never appear in
 * {@link #toString()}.
 */
public record WorkerConfig(
    String apiBaseUrl,
    @Nullable String workerId,
    @Nullable String authToken,
    double vramThresholdGb,
    boolean autoStart,
    boolean startMinimised,
    boolean onlyWhenIdle,
    boolean autoUpdateEnabled,
    long autoUpdateIntervalSecs,
    @Nullable String autoUpdateFeed,
    boolean autoUpdatePrerelease,
    String modelsRoot,
    @Nullable Integer wsReconnectAttempts,
    @Nullable Integer localApiPort,
    @Nullable String localApiToken,
    @Nullable String installId,
    @Nullable String registrationRequestId,
    @Nullable String registrationSecret,
    long drainTimeoutSecs,
    double vramMarginGb,
    @Nullable String gpu) {

  /** The studio everybody uses. */
  public static final String DEFAULT_API_BASE_URL = "https://studio.minis.gg/";

  /** Default claim threshold, in GB. */
  public static final double DEFAULT_VRAM_THRESHOLD_GB = 12.0;

  /** Default auto-update interval: 30 minutes. */
  public static final long DEFAULT_AUTO_UPDATE_INTERVAL_SECS = 1800;

  /** Default models folder. */
  public static final String DEFAULT_MODELS_ROOT = "~/models";

  /** GPU memory kept free on top of a job's estimate when admitting it, in GB. */
  public static final double DEFAULT_VRAM_MARGIN_GB = 0.5;

  /** How long a job in flight may run on after SIGTERM: 10 minutes. */
  public static final long DEFAULT_DRAIN_TIMEOUT_SECS = 600;

  /** Validates the values that would break the worker. */
  public WorkerConfig {
    Objects.requireNonNull(apiBaseUrl, "apiBaseUrl");
    Objects.requireNonNull(modelsRoot, "modelsRoot");
    if (!Double.isFinite(vramThresholdGb) || vramThresholdGb < 0) {
      throw new IllegalArgumentException("vram_threshold_gb must be a number of at least 0");
    }
    if (autoUpdateIntervalSecs <= 0) {
      throw new IllegalArgumentException("auto_update_interval_secs must be positive");
    }
    if (wsReconnectAttempts != null && wsReconnectAttempts < 0) {
      throw new IllegalArgumentException("ws_reconnect_attempts must be 0 (unlimited) or more");
    }
    if (localApiPort != null && (localApiPort < 0 || localApiPort > 65535)) {
      throw new IllegalArgumentException("local_api_port must be between 0 and 65535");
    }
    if (drainTimeoutSecs < 0) {
      throw new IllegalArgumentException("drain_timeout_secs must not be negative");
    }
    if (!Double.isFinite(vramMarginGb) || vramMarginGb < 0) {
      throw new IllegalArgumentException("vram_margin_gb must be a number of at least 0");
    }
    if (gpu != null) {
      try {
        gpu = org.studioworker.gpu.GpuSelector.parse(gpu).text();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("gpu: " + e.getMessage(), e);
      }
    }
  }

  /** A config with every key at its default. */
  public static WorkerConfig defaults() {
    return new WorkerConfig(
        DEFAULT_API_BASE_URL,
        null,
        null,
        DEFAULT_VRAM_THRESHOLD_GB,
        true,
        true,
        false,
        true,
        DEFAULT_AUTO_UPDATE_INTERVAL_SECS,
        null,
        false,
        DEFAULT_MODELS_ROOT,
        null,
        null,
        null,
        null,
        null,
        null,
        DEFAULT_DRAIN_TIMEOUT_SECS,
        DEFAULT_VRAM_MARGIN_GB,
        null);
  }

  /** Whether the worker holds both a worker id and a token. */
  public boolean isRegistered() {
    return workerId != null && authToken != null;
  }

  /** The configured base URL, normalised (see {@link StudioUrls}). */
  public URI studioBase() throws ConfigException {
    return StudioUrls.normalise(apiBaseUrl);
  }

  /**
   * {@code models_root} with a leading {@code ~} expanded to {@code $HOME} from {@code env} (the
   * passwd entry's home only when {@code HOME} is unset or empty), as the config path is.
   *
   * @param env the process environment ({@code System.getenv()})
   */
  public java.nio.file.Path modelsRootPath(java.util.Map<String, String> env) {
    if (modelsRoot.equals("~")) {
      return UserDirs.home(env);
    }
    if (modelsRoot.startsWith("~/")) {
      return UserDirs.home(env).resolve(modelsRoot.substring(2));
    }
    return java.nio.file.Path.of(modelsRoot);
  }

  /** A copy with another base URL. */
  public WorkerConfig withApiBaseUrl(String url) {
    return new Builder(this).apiBaseUrl(url).build();
  }

  /** A copy with another models folder. */
  public WorkerConfig withModelsRoot(String path) {
    return new Builder(this).modelsRoot(path).build();
  }

  /** A copy with another threshold. */
  public WorkerConfig withVramThresholdGb(double gb) {
    return new Builder(this).vramThresholdGb(gb).build();
  }

  /** A copy with the registration fields set as given. */
  public WorkerConfig withRegistration(
      @Nullable String installId, @Nullable String requestId, @Nullable String secret) {
    return new Builder(this)
        .installId(installId)
        .registrationRequestId(requestId)
        .registrationSecret(secret)
        .build();
  }

  /** A copy holding the credentials of an approved worker, with the request cleared. */
  public WorkerConfig withCredentials(String newWorkerId, String newAuthToken) {
    return new Builder(this)
        .workerId(newWorkerId)
        .authToken(newAuthToken)
        .registrationRequestId(null)
        .registrationSecret(null)
        .build();
  }

  /**
   * What moving to another studio leaves: no worker id, token, request or secret, so that none of
   * them is sent to the new host; the install id stays, as it names this machine, not a studio's
   * registration.
   */
  public WorkerConfig withRegistrationCleared() {
    return new Builder(this)
        .workerId(null)
        .authToken(null)
        .registrationRequestId(null)
        .registrationSecret(null)
        .build();
  }

  /** Whether any of the fields {@link #withRegistrationCleared} clears is set. */
  public boolean hasRegistrationState() {
    return workerId != null
        || authToken != null
        || registrationRequestId != null
        || registrationSecret != null;
  }

  /** What {@code register --reset} leaves: no identity, no request, no secret. */
  public WorkerConfig withRegistrationReset() {
    return new Builder(this)
        .workerId(null)
        .authToken(null)
        .registrationRequestId(null)
        .registrationSecret(null)
        .installId(null)
        .build();
  }

  @Override
  public String toString() {
    return "WorkerConfig[apiBaseUrl="
        + apiBaseUrl
        + ", workerId="
        + workerId
        + ", authToken="
        + redacted(authToken)
        + ", vramThresholdGb="
        + vramThresholdGb
        + ", modelsRoot="
        + modelsRoot
        + ", registrationSecret="
        + redacted(registrationSecret)
        + ", localApiToken="
        + redacted(localApiToken)
        + "]";
  }

  private static String redacted(@Nullable String secret) {
    return secret == null ? "null" : "<redacted>";
  }

  /** A mutable copy, for the few places that change several fields at once. */
  public static final class Builder {
    private String apiBaseUrl;
    private @Nullable String workerId;
    private @Nullable String authToken;
    private double vramThresholdGb;
    private boolean autoStart;
    private boolean startMinimised;
    private boolean onlyWhenIdle;
    private boolean autoUpdateEnabled;
    private long autoUpdateIntervalSecs;
    private @Nullable String autoUpdateFeed;
    private boolean autoUpdatePrerelease;
    private String modelsRoot;
    private @Nullable Integer wsReconnectAttempts;
    private @Nullable Integer localApiPort;
    private @Nullable String localApiToken;
    private @Nullable String installId;
    private @Nullable String registrationRequestId;
    private @Nullable String registrationSecret;
    private long drainTimeoutSecs;
    private double vramMarginGb;
    private @Nullable String gpu;

    /** A builder starting from {@code base}. */
    public Builder(WorkerConfig base) {
      apiBaseUrl = base.apiBaseUrl;
      workerId = base.workerId;
      authToken = base.authToken;
      vramThresholdGb = base.vramThresholdGb;
      autoStart = base.autoStart;
      startMinimised = base.startMinimised;
      onlyWhenIdle = base.onlyWhenIdle;
      autoUpdateEnabled = base.autoUpdateEnabled;
      autoUpdateIntervalSecs = base.autoUpdateIntervalSecs;
      autoUpdateFeed = base.autoUpdateFeed;
      autoUpdatePrerelease = base.autoUpdatePrerelease;
      modelsRoot = base.modelsRoot;
      wsReconnectAttempts = base.wsReconnectAttempts;
      localApiPort = base.localApiPort;
      localApiToken = base.localApiToken;
      installId = base.installId;
      registrationRequestId = base.registrationRequestId;
      registrationSecret = base.registrationSecret;
      drainTimeoutSecs = base.drainTimeoutSecs;
      vramMarginGb = base.vramMarginGb;
      gpu = base.gpu;
    }

    public Builder apiBaseUrl(String value) {
      apiBaseUrl = value;
      return this;
    }

    public Builder workerId(@Nullable String value) {
      workerId = value;
      return this;
    }

    public Builder authToken(@Nullable String value) {
      authToken = value;
      return this;
    }

    public Builder vramThresholdGb(double value) {
      vramThresholdGb = value;
      return this;
    }

    public Builder autoStart(boolean value) {
      autoStart = value;
      return this;
    }

    public Builder startMinimised(boolean value) {
      startMinimised = value;
      return this;
    }

    /** Whether offers are taken only while the person at this computer is idle. */
    public Builder onlyWhenIdle(boolean value) {
      onlyWhenIdle = value;
      return this;
    }

    public Builder autoUpdateEnabled(boolean value) {
      autoUpdateEnabled = value;
      return this;
    }

    public Builder autoUpdateIntervalSecs(long value) {
      autoUpdateIntervalSecs = value;
      return this;
    }

    public Builder autoUpdateFeed(@Nullable String value) {
      autoUpdateFeed = value;
      return this;
    }

    public Builder autoUpdatePrerelease(boolean value) {
      autoUpdatePrerelease = value;
      return this;
    }

    public Builder modelsRoot(String value) {
      modelsRoot = value;
      return this;
    }

    public Builder wsReconnectAttempts(@Nullable Integer value) {
      wsReconnectAttempts = value;
      return this;
    }

    public Builder localApiPort(@Nullable Integer value) {
      localApiPort = value;
      return this;
    }

    public Builder localApiToken(@Nullable String value) {
      localApiToken = value;
      return this;
    }

    public Builder installId(@Nullable String value) {
      installId = value;
      return this;
    }

    public Builder registrationRequestId(@Nullable String value) {
      registrationRequestId = value;
      return this;
    }

    public Builder registrationSecret(@Nullable String value) {
      registrationSecret = value;
      return this;
    }

    public Builder drainTimeoutSecs(long value) {
      drainTimeoutSecs = value;
      return this;
    }

    public Builder vramMarginGb(double value) {
      vramMarginGb = value;
      return this;
    }

    /** The GPU to pin to: an index ({@code "0"}) or a UUID ({@code "GPU-…"}), or null for none. */
    public Builder gpu(@Nullable String value) {
      gpu = value;
      return this;
    }

    /** The config; validates like the record's constructor. */
    public WorkerConfig build() {
      return new WorkerConfig(
          apiBaseUrl,
          workerId,
          authToken,
          vramThresholdGb,
          autoStart,
          startMinimised,
          onlyWhenIdle,
          autoUpdateEnabled,
          autoUpdateIntervalSecs,
          autoUpdateFeed,
          autoUpdatePrerelease,
          modelsRoot,
          wsReconnectAttempts,
          localApiPort,
          localApiToken,
          installId,
          registrationRequestId,
          registrationSecret,
          drainTimeoutSecs,
          vramMarginGb,
          gpu);
    }
  }
}
