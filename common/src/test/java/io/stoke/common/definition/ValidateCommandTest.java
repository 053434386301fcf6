package io.stoke.common.definition;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ValidateCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void acceptsTheShippedFileAndListsItsFunctions() {
    var root = DefinitionLoaderTest.projectRoot();

    int code = run(root.resolve("global-function-definition.yml").toString());

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("OK")
        .contains("hello")
        .contains("echo")
        .contains("counter")
        .contains("counter-java");
  }

  @Test
  void printsEveryProblemAndExitsNonZero(@TempDir Path dir) throws Exception {
    var file = dir.resolve("defs.yml");
    Files.writeString(
        file,
        "functions:\n  - {name: a, runtime: ruby}\n  - {name: b, runtime: python, timeout: 3}\n");

    int code = run(file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("2 problems in " + file)
        .contains("functions.a.runtime = ruby, must be one of python, java, image")
        .contains("functions.b.timeout = 3, must be a duration");
  }

  @Test
  void aMissingFileIsReportedInWordsWithExitCodeOne(@TempDir Path dir) {
    var missing = dir.resolve("nope.yml");

    int code = run(missing.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("no such file: " + missing)
        .doesNotContain("java.nio");
  }

  @Test
  void anEmptyFileIsAnErrorNotOkWithNoFunctions(@TempDir Path dir) throws Exception {
    var file = dir.resolve("empty.yml");
    Files.writeString(file, "");

    int code = run(file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("OK");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no 'functions:' key");
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() {
    assertThat(run("-h")).isZero();
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: ./stoke validate");
  }

  @Test
  void anUnknownOptionIsBadUsage() {
    assertThat(run("--strict")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --strict");
  }
}
