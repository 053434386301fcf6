package io.stoke.orchestrator.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.definition.ScalingPolicy;
import io.stoke.orchestrator.TestDefinitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextTest {

  @TempDir Path functions;

  @BeforeEach
  void layOutARuntimeAndAFunction() throws IOException {
    Files.createDirectories(functions.resolve("runtimes/python"));
    Files.writeString(functions.resolve("runtimes/python/Dockerfile"), "FROM scratch\n");
    Files.writeString(functions.resolve("runtimes/python/stoke_runtime.py"), "# runtime\n");
    Files.createDirectories(functions.resolve("hello"));
    Files.writeString(functions.resolve("hello/handler.py"), "def handle(r): return 1\n");
  }

  @Test
  void putsTheRuntimeAtTheRootAndTheFunctionUnderFunction() throws IOException {
    var context =
        BuildContext.of(TestDefinitions.python("hello", ScalingPolicy.DEFAULT), functions);
    assertThat(context.files().keySet())
        .containsExactly("Dockerfile", "function/handler.py", "stoke_runtime.py");
    assertThat(context.tar()).isNotEmpty();
  }

  @Test
  void hashesTheSameSourcesToTheSameValue() throws IOException {
    var def = TestDefinitions.python("hello", ScalingPolicy.DEFAULT);
    assertThat(BuildContext.of(def, functions).contentHash())
        .isEqualTo(BuildContext.of(def, functions).contentHash());
  }

  @Test
  void changesTheHashWhenASourceFileChanges() throws IOException {
    var def = TestDefinitions.python("hello", ScalingPolicy.DEFAULT);
    var before = BuildContext.of(def, functions).contentHash();
    Files.writeString(functions.resolve("hello/handler.py"), "def handle(r): return 2\n");
    assertThat(BuildContext.of(def, functions).contentHash()).isNotEqualTo(before);
  }

  @Test
  void changesTheHashWhenTheDefinitionChanges() throws IOException {
    var def = TestDefinitions.python("hello", ScalingPolicy.DEFAULT);
    var other =
        new io.stoke.common.definition.FunctionDefinition(
            def.name(),
            def.runtime(),
            def.source(),
            def.handler(),
            "2.0",
            def.image(),
            def.port(),
            def.mode(),
            def.environment(),
            def.timeout(),
            def.resources(),
            def.scaling(),
            def.loadBalancing(),
            def.auth(),
            def.dependencies(),
            def.readinessPath());
    assertThat(BuildContext.of(other, functions).contentHash())
        .isNotEqualTo(BuildContext.of(def, functions).contentHash());
  }
}
