package io.stoke.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The docker and docker-compose command lines, for what the tests check from outside. */
final class Docker {

  private Docker() {}

  /** Runs a command; its output, or an exception naming the command and its output. */
  static String run(List<String> command, long timeoutSeconds) {
    try {
      var process = new ProcessBuilder(command).redirectErrorStream(true).start();
      var output = new String[1];
      var reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      output[0] =
                          new String(
                              process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                      output[0] = "(output unreadable: " + e + ")";
                    }
                  });
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
      }
      reader.join();
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed (" + process.exitValue() + "): " + output[0]);
      }
      return output[0];
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /**
   * This test run's installation id: the orchestrators the system tests start label their
   * containers with it, and the tests list and remove only those.
   */
  static final String INSTALLATION = "test-" + UUID.randomUUID().toString().substring(0, 8);

  /** Ids of this test run's instance containers of {@code function} (all when null). */
  static List<String> containers(String function) {
    var command =
        new ArrayList<>(
            List.of(
                "docker",
                "ps",
                "-aq",
                "--filter",
                "label=io.stoke.managed=true",
                "--filter",
                "label=io.stoke.installation=" + INSTALLATION));
    if (function != null) {
      command.addAll(List.of("--filter", "label=io.stoke.function=" + function));
    }
    return run(command, 30).lines().filter(l -> !l.isBlank()).toList();
  }

  /** Removes this test run's containers, instances and exec activations; no one else's. */
  static void removeOwnContainers() {
    var ids =
        run(
                List.of(
                    "docker",
                    "ps",
                    "-aq",
                    "--filter",
                    "label=io.stoke.installation=" + INSTALLATION),
                30)
            .lines()
            .filter(l -> !l.isBlank())
            .toList();
    if (!ids.isEmpty()) {
      var command = new ArrayList<>(List.of("docker", "rm", "-f"));
      command.addAll(ids);
      run(command, 60);
    }
  }
}
