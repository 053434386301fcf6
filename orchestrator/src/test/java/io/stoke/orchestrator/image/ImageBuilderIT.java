package io.stoke.orchestrator.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.definition.DefinitionLoader;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.orchestrator.ItSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    for (var image : new String[] {"stoke-fn/copy:1.0", "stoke-fn/broken:1.0"}) {
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
