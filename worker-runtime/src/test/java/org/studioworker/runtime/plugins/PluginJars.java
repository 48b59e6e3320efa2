package org.studioworker.runtime.plugins;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds real plugin jars from Java source at test time. */
final class PluginJars {
  private PluginJars() {}

  /**
   * Compiles the sources (path → text, module-info included or not) against the plugin API and
   * packs them into {@code jar}.
   */
  static Path build(Path work, Path jar, Path spiJar, Map<String, String> sources)
      throws IOException {
    return build(work, jar, spiJar, sources, Map.of());
  }

  /** The same, with these main attributes in the jar's manifest (none: no manifest). */
  static Path build(
      Path work,
      Path jar,
      Path spiJar,
      Map<String, String> sources,
      Map<String, String> manifestAttributes)
      throws IOException {
    Path src = Files.createDirectories(work.resolve("src-" + jar.getFileName()));
    Path out = Files.createDirectories(work.resolve("out-" + jar.getFileName()));
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--release", "25"));
    boolean modular = sources.containsKey("module-info.java");
    args.add(modular ? "--module-path" : "--class-path");
    args.add(spiJar.toString());
    for (var source : sources.entrySet()) {
      Path file = src.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, args.toArray(String[]::new));
    if (status != 0) {
      throw new IllegalStateException("plugin sources did not compile");
    }
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream jarOut =
            manifestAttributes.isEmpty()
                ? new JarOutputStream(file)
                : new JarOutputStream(file, manifest(manifestAttributes));
        Stream<Path> classes = Files.walk(out)) {
      for (Path path : classes.filter(Files::isRegularFile).sorted().toList()) {
        jarOut.putNextEntry(new JarEntry(out.relativize(path).toString().replace('\\', '/')));
        jarOut.write(Files.readAllBytes(path));
        jarOut.closeEntry();
      }
    }
    return jar;
  }

  private static Manifest manifest(Map<String, String> attributes) {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.forEach(main::putValue);
    return manifest;
  }

  /** The manifest attributes of a plugin that asks for native access. */
  static Map<String, String> nativeAccess() {
    return Map.of(PluginLoader.NATIVE_ACCESS_ATTRIBUTE, "true");
  }

  /**
   * The sources of a plugin that calls native code: engine {@code pid}, whose {@code create()}
   * calls {@code getpid()} through the FFM linker (a restricted method) and serves the llm model
   * {@code pid-<the pid>}.
   */
  static Map<String, String> nativePlugin() {
    return Map.of(
        "module-info.java",
        """
        module com.example.pid {
          requires org.studioworker.spi;
          provides org.studioworker.spi.ExecutorProvider with com.example.pid.PidProvider;
        }
        """,
        "com/example/pid/PidProvider.java",
        """
        package com.example.pid;

        import java.lang.foreign.FunctionDescriptor;
        import java.lang.foreign.Linker;
        import java.lang.foreign.ValueLayout;
        import java.lang.invoke.MethodHandle;
        import java.util.List;
        import java.util.Map;
        import org.studioworker.spi.*;

        public final class PidProvider implements ExecutorProvider {
          public EngineId engine() { return new EngineId("pid"); }
          public String version() { return "1.0.0"; }
          public Executor create(ExecutorEnvironment environment) {
            Linker linker = Linker.nativeLinker();
            MethodHandle getpid =
                linker.downcallHandle(
                    linker.defaultLookup().find("getpid").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int pid;
            try {
              pid = (int) getpid.invokeExact();
            } catch (Throwable e) {
              throw new IllegalStateException(e);
            }
            String model = "pid-" + pid;
            return new Executor() {
              public Map<TaskKind, List<String>> serves() {
                return Map.of(TaskKind.LLM, List.of(model));
              }
              public JobResult run(Claim claim, JobContext context)
                  throws ExecutorException {
                throw new UnsupportedJobException("pid serves no jobs");
              }
              public void close() {}
            };
          }
        }
        """);
  }

  /** The sources of a working plugin: engine {@code echo}, serving llm model {@code echo-1}. */
  static Map<String, String> echoPlugin() {
    return Map.of(
        "module-info.java",
        """
        module com.example.echo {
          requires org.studioworker.spi;
          provides org.studioworker.spi.ExecutorProvider with com.example.echo.EchoProvider;
        }
        """,
        "com/example/echo/EchoProvider.java",
        """
        package com.example.echo;

        import java.util.List;
        import java.util.Map;
        import org.studioworker.spi.*;

        public final class EchoProvider implements ExecutorProvider {
          public EngineId engine() { return new EngineId("echo"); }
          public String version() { return "1.0.0"; }
          public Executor create(ExecutorEnvironment environment) {
            return new Executor() {
              public Map<TaskKind, List<String>> serves() {
                return Map.of(TaskKind.LLM, List.of("echo-1"));
              }
              public JobResult run(Claim claim, JobContext context) {
                context.log().info("echoing " + claim.jobId());
                String said = claim.task().prompt().replace("\\\\", "").replace("\\"", "");
                return new JobResult.Json(new JsonText("{\\"echo\\":\\"" + said + "\\"}"));
              }
              public void close() {}
            };
          }
        }
        """);
  }
}
