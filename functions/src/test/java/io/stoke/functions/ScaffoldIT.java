package io.stoke.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./stoke new}: the scaffolded function is registered, passes {@code ./stoke validate}, and
 * serves on its runtime as it comes.
 */
class ScaffoldIT {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  record Result(int code, String output) {}

  static Result stoke(String... args) throws IOException, InterruptedException {
    var command = new java.util.ArrayList<>(List.of(ROOT.resolve("stoke").toString()));
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    process.environment().put("JAVA_HOME", System.getProperty("java.home"));
    var started = process.start();
    var output = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(started.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    return new Result(started.exitValue(), output);
  }

  @Test
  void scaffoldsRegistersAndServesAPythonAndAJavaFunction(@TempDir Path dir) throws Exception {
    var definitions = dir.resolve("global-function-definition.yml");
    Files.createDirectories(dir.resolve("functions"));
    Files.writeString(definitions, "functions:\n");

    var python =
        stoke("new", "greet", "--runtime", "python", "--definitions", definitions.toString());
    var javaFn =
        stoke("new", "shout-it", "--runtime", "java", "--definitions", definitions.toString());
    var again =
        stoke("new", "greet", "--runtime", "python", "--definitions", definitions.toString());
    var userPrefix =
        stoke("new", "u-bob", "--runtime", "python", "--definitions", definitions.toString());
    var reserved =
        stoke("new", "api", "--runtime", "python", "--definitions", definitions.toString());
    var valid = stoke("validate", definitions.toString());

    assertThat(python.code()).as(python.output()).isZero();
    assertThat(javaFn.code()).as(javaFn.output()).isZero();
    assertThat(again.code()).isNotZero();
    assertThat(again.output()).contains("already exists");
    // Names the definitions loader refuses are refused here too, before the file is touched.
    assertThat(userPrefix.code()).isNotZero();
    assertThat(userPrefix.output()).contains("'u-' are reserved");
    assertThat(reserved.code()).isNotZero();
    assertThat(reserved.output()).contains("'api' is reserved");
    assertThat(dir.resolve("functions/u-bob")).doesNotExist();
    assertThat(valid.code()).as(valid.output()).isZero();
    assertThat(valid.output()).contains("2 function(s): greet, shout-it");

    try (var runtime =
        RuntimeProcess.start(
                List.of(
                    "python3",
                    ROOT.resolve("functions/runtimes/python/stoke_runtime.py").toString()),
                Map.of(
                    "STOKE_FUNCTION_DIR", dir.resolve("functions/greet").toString(),
                    "STOKE_HANDLER", "handler.py",
                    "STOKE_FUNCTION", "greet"))
            .awaitReady()) {
      assertThat(runtime.get("/?name=Stoke").body()).contains("\"Hello\"").contains("Stoke");
    }

    var classes = dir.resolve("classes");
    var javac =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d",
                classes.toString(),
                "-cp",
                ROOT.resolve("functions/target/classes").toString(),
                dir.resolve("functions/shout-it/ShoutItHandler.java").toString())
            .redirectErrorStream(true)
            .start();
    var javacOutput = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(javac.waitFor()).as(javacOutput).isZero();
    var java21 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var classPath = classes + File.pathSeparator + ROOT.resolve("functions/target/classes");
    try (var runtime =
        RuntimeProcess.start(
                List.of(java21, "-cp", classPath, "io.stoke.runtime.Main"),
                Map.of("STOKE_HANDLER", "ShoutItHandler", "STOKE_FUNCTION", "shout-it"))
            .awaitReady()) {
      assertThat(runtime.get("/?name=Stoke").body()).contains("\"Hello\"").contains("Stoke");
    }
  }
}
