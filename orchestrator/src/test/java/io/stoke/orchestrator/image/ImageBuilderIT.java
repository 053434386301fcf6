package io.stoke.orchestrator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.definition.DefinitionLoader;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.orchestrator.ItSupport;
import io.stoke.orchestrator.StokeProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuilderIT {

  static DockerClient docker;
  static ImageBuilder repoBuilder;

  @BeforeAll
  static void connect() {
    docker = ItSupport.docker();
    repoBuilder = new ImageBuilder(docker, ItSupport.FUNCTIONS, ItSupport.base());
  }

  @AfterAll
  static void removeScratchImages() {
    for (var image :
        new String[] {"stoke-fn/copy:1.0", "stoke-fn/broken:1.0", "stoke-fn/deps:1.0", PIP_BASE}) {
      try {
        docker.removeImageCmd(image).withForce(true).exec();
      } catch (RuntimeException e) {
        // Not built.
      }
    }
  }

  @Test
  void everyExampleFunctionsImageBuildsAndIsNotRebuiltWhenUnchanged() throws Exception {
    var definitions =
        new DefinitionLoader(ItSupport.FUNCTIONS)
            .load(ItSupport.FUNCTIONS.resolveSibling("global-function-definition.yml"));
    assertThat(definitions.names()).contains("hello", "echo", "sleep", "primes", "upper");
    for (var def : definitions.functions()) {
      var first = repoBuilder.prepare(def);
      assertThat(first)
          .as(def.name())
          .isInstanceOfAny(ImageBuild.Built.class, ImageBuild.Unchanged.class);
      assertThat(repoBuilder.prepare(def)).as(def.name()).isInstanceOf(ImageBuild.Unchanged.class);
      assertThat(docker.inspectImageCmd(def.image()).exec().getConfig().getLabels())
          .containsEntry("io.stoke.image.managed", "true")
          .containsEntry("io.stoke.image.function", def.name())
          .containsEntry("io.stoke.image.version", def.version())
          .containsKey("io.stoke.content-hash")
          .doesNotContainKey("io.stoke.managed");
    }
  }

  @Test
  void aChangedSourceIsRebuiltAndABrokenFunctionFailsWithItsNameWhileOthersBuild(
      @TempDir Path functions) throws Exception {
    copy(ItSupport.FUNCTIONS.resolve("runtimes/python"), functions.resolve("runtimes/python"));
    copy(ItSupport.FUNCTIONS.resolve("hello"), functions.resolve("copy"));
    Files.createDirectories(functions.resolve("broken"));
    Files.writeString(functions.resolve("broken/handler.py"), "def handle(request:\n");
    Files.writeString(
        functions.resolve("copy/handler.py"),
        "\n# run " + System.nanoTime() + "\n",
        java.nio.file.StandardOpenOption.APPEND);
    var builder = new ImageBuilder(docker, functions, ItSupport.base());
    var broken = def("broken");
    var copy = def("copy");

    var failed = builder.prepare(broken);
    assertThat(failed).isInstanceOf(ImageBuild.Failed.class);
    assertThat(((ImageBuild.Failed) failed).describe()).contains("broken").contains("Step");

    assertThat(builder.prepare(copy)).isInstanceOf(ImageBuild.Built.class);
    assertThat(builder.prepare(copy)).isInstanceOf(ImageBuild.Unchanged.class);
    Files.writeString(
        functions.resolve("copy/handler.py"),
        "\n# changed\n",
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(builder.prepare(copy)).isInstanceOf(ImageBuild.Built.class);
  }

  @Test
  void theJavaRuntimeTakesItsJvmOptionsFromTheFunctionsEnvironment() throws Exception {
    var echo =
        new DefinitionLoader(ItSupport.FUNCTIONS)
            .load(ItSupport.FUNCTIONS.resolveSibling("global-function-definition.yml"))
            .find("echo")
            .orElseThrow();
    assertThat(repoBuilder.prepare(echo).usable()).isTrue();

    // The JVM prints its final flags; the server must start with either set of options.
    var shipped = startupLog(echo.image(), List.of());
    var fullJit = startupLog(echo.image(), List.of("-e", "STOKE_JAVA_OPTS=-Xmx64m"));

    assertThat(shipped).containsPattern("TieredStopAtLevel += 1 ").contains("listening on");
    assertThat(fullJit)
        .containsPattern("TieredStopAtLevel += 4 ")
        .containsPattern("MaxHeapSize += 67108864 ")
        .contains("listening on");
  }

  /** Starts {@code image} hardened as instances run, until it listens; returns its log. */
  private static String startupLog(String image, List<String> dockerArgs) throws Exception {
    var command =
        new java.util.ArrayList<>(
            List.of(
                "docker",
                "run",
                "-d",
                "--read-only",
                "--tmpfs",
                "/tmp",
                "--user",
                "10001:10001",
                "-e",
                "JAVA_TOOL_OPTIONS=-XX:+PrintFlagsFinal"));
    command.addAll(dockerArgs);
    command.add(image);
    var id = run(command.toArray(String[]::new)).strip();
    try {
      await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> run("docker", "logs", id).contains("listening on"));
      return run("docker", "logs", id);
    } finally {
      run("docker", "rm", "-f", id);
    }
  }

  /** The python base image plus a stand-in pip (see the test below). */
  private static final String PIP_BASE = "stoke-test/python-pip:it";

  @Test
  void aPythonFunctionsDependenciesArePipInstalledWithItsRequirementsInOneResolution(
      @TempDir Path functions) throws Exception {
    // There is no package index on this machine, and the python base built here has no pip, so the
    // base gets a stand-in `python3 -m pip` that records its arguments as the one module it
    // "installs". What is proven is Stoke's part: which pip command the image build runs.
    var baseDir = functions.resolve("base");
    Files.createDirectories(baseDir.resolve("pip"));
    Files.writeString(baseDir.resolve("pip/__init__.py"), "");
    Files.writeString(
        baseDir.resolve("pip/__main__.py"),
        """
        import os, sys
        args = sys.argv[1:]
        if args == ["--version"]:
            print("pip stand-in")
            sys.exit(0)
        if "missing-package" in args:
            sys.exit("ERROR: No matching distribution found for missing-package")
        target = args[args.index("--target") + 1]
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, "installed.py"), "w") as f:
            f.write("ARGS = %r\\n" % args)
        """);
    Files.writeString(
        baseDir.resolve("Dockerfile"),
        "FROM "
            + ItSupport.base().python()
            + "\nCOPY pip /opt/stand-in/pip\nENV PYTHONPATH=/opt/stand-in\n");
    dockerBuild(PIP_BASE, baseDir);
    copy(ItSupport.FUNCTIONS.resolve("runtimes/python"), functions.resolve("runtimes/python"));
    copy(ItSupport.FUNCTIONS.resolve("hello"), functions.resolve("deps"));
    Files.writeString(functions.resolve("deps/requirements.txt"), "six==1.16.0\n");
    var base = ItSupport.base();
    var builder =
        new ImageBuilder(
            docker,
            functions,
            new StokeProperties.Base(PIP_BASE, base.javaJre(), base.javaJdk(), base.minimal()));
    var yaml =
        "functions:\n"
            + ItSupport.python("deps", "deps", "1.0", "idleTimeout: 10s")
            + "    dependencies: [\"requests==2.32.3\", \"attrs[tests]>=23\"]\n";
    var def = new DefinitionLoader(null).parse(yaml, "test").functions().getFirst();

    var build = builder.prepare(def);

    assertThat(build).isInstanceOf(ImageBuild.Built.class);
    var installed =
        dockerRun(
            def.image(),
            "-c",
            "import sys; sys.path.insert(0, '/app/deps'); import installed;"
                + " print(installed.ARGS)");
    assertThat(installed)
        .contains(
            "['install', '--no-cache-dir', '--target', '/app/deps', '-r',"
                + " '/app/function/requirements.txt', 'requests==2.32.3', 'attrs[tests]>=23']");

    // A failed install fails the build with pip's own words, naming the function.
    var missing =
        new DefinitionLoader(null)
            .parse(yaml.replace("attrs[tests]>=23", "missing-package"), "test")
            .functions()
            .getFirst();
    var failed = builder.prepare(missing);
    assertThat(failed).isInstanceOf(ImageBuild.Failed.class);
    assertThat(((ImageBuild.Failed) failed).describe())
        .contains("function deps")
        .contains("No matching distribution found for missing-package");
  }

  private static void dockerBuild(String tag, Path dir) throws Exception {
    run("docker", "build", "-q", "-t", tag, dir.toString());
  }

  private static String dockerRun(String image, String... pythonArgs) throws Exception {
    var command =
        new java.util.ArrayList<>(
            java.util.List.of("docker", "run", "--rm", "--entrypoint", "python3", image));
    command.addAll(java.util.List.of(pythonArgs));
    return run(command.toArray(String[]::new));
  }

  private static String run(String... command) throws Exception {
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
    return output;
  }

  private static FunctionDefinition def(String name) throws Exception {
    var yaml = "functions:\n" + ItSupport.python(name, name, "1.0", "idleTimeout: 10s");
    return new DefinitionLoader(null).parse(yaml, "test").functions().getFirst();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (var source : walk.toList()) {
        var target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
