package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./stoke down} (scripts/down.sh) on the real Docker engine: it removes its own
 * installation's containers and no other installation's, nor a test run's.
 */
class DownScriptIT {

  @TempDir Path state;
  private final List<String> made = new ArrayList<>();

  @AfterEach
  void removeWhatIsLeft() {
    for (var id : made) {
      Docker.run(List.of("docker", "rm", "-f", id), 60);
    }
  }

  @Test
  void downRemovesItsOwnInstallationsContainersAndLeavesEveryOtherInstallationsAlone()
      throws Exception {
    var suffix = UUID.randomUUID().toString().substring(0, 8);
    var own = "local-" + suffix;
    Files.writeString(state.resolve("installation-id"), own + "\n");
    var ownInstance = container("io.stoke.managed=true", "io.stoke.installation=" + own);
    var ownActivation =
        container(
            "io.stoke.managed=false", "io.stoke.activation=a1", "io.stoke.installation=" + own);
    var otherPlatform = container("io.stoke.managed=true", "io.stoke.installation=other-" + suffix);
    var testRun =
        container("io.stoke.managed=true", "io.stoke.installation=" + Docker.INSTALLATION);

    var output = down();

    assertThat(existing()).as(output).doesNotContain(ownInstance, ownActivation);
    assertThat(existing()).as(output).contains(otherPlatform, testRun);
  }

  private String container(String... labels) {
    var command = new ArrayList<>(List.of("docker", "create"));
    for (var label : labels) {
      command.addAll(List.of("--label", label));
    }
    command.addAll(List.of(python(), "sleep", "600"));
    var id = Docker.run(command, 60).strip();
    made.add(id);
    return id;
  }

  private static String python() {
    try {
      return Platform.baseImages().getOrDefault("STOKE_BASE_PYTHON", "python:3.12-slim");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Full ids of every container the test made that still exists. */
  private List<String> existing() {
    var all = Docker.run(List.of("docker", "ps", "-aq", "--no-trunc"), 30);
    return made.stream()
        .filter(id -> all.lines().anyMatch(line -> line.strip().equals(id)))
        .toList();
  }

  private String down() throws Exception {
    var builder =
        new ProcessBuilder("bash", Platform.ROOT.resolve("scripts/down.sh").toString())
            .redirectErrorStream(true);
    builder.environment().put("STOKE_STATE", state.toString());
    var process = builder.start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
