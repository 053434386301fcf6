package io.stoke.orchestrator.exec;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.stoke.common.contract.ActivationOutcome;
import io.stoke.common.contract.ActivationRequest;
import io.stoke.orchestrator.ItSupport;
import io.stoke.orchestrator.docker.DockerContainers;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs real activation containers from tiny images built on the local minimal base. */
class ExecRunnerIT {

  static final String UPPER = "stoke-test/exec-upper:it";
  static final String SLEEPER = "stoke-test/exec-sleep:it";
  static final String CRASHER = "stoke-test/exec-crash:it";
  static final String CHATTY = "stoke-test/exec-chatty:it";
  static final String NAPPER = "stoke-test/exec-nap:it";

  static DockerClient docker;
  static ExecRunner runner;

  @BeforeAll
  static void buildImages() throws Exception {
    var base = ItSupport.bases().getOrDefault("STOKE_BASE_MINIMAL", "stoke-base/minimal:bookworm");
    build(
        UPPER,
        base,
        "[\"/bin/sh\",\"-c\",\"echo upper-log $GREETING/$STOKE_FUNCTION >&2; tr a-z A-Z\"]");
    build(SLEEPER, base, "[\"/bin/sh\",\"-c\",\"sleep 30\"]");
    build(CRASHER, base, "[\"/bin/sh\",\"-c\",\"echo boom >&2; exit 3\"]");
    build(CHATTY, base, "[\"/bin/sh\",\"-c\",\"head -c 5000 /dev/zero\"]");
    build(NAPPER, base, "[\"/bin/sh\",\"-c\",\"sleep 8; echo rested\"]");
    docker = ItSupport.docker();
    runner =
        new ExecRunner(
            docker,
            new DockerContainers(docker, ItSupport.INSTALLATION),
            4096,
            ItSupport.INSTALLATION,
            java.nio.file.Path.of("/var/run/docker.sock"));
  }

  static void build(String tag, String base, String entrypoint) throws Exception {
    var dir = Files.createTempDirectory("exec-image");
    Files.writeString(
        dir.resolve("Dockerfile"),
        "FROM " + base + "\nUSER 10001:10001\nENTRYPOINT " + entrypoint + "\n");
    var process =
        new ProcessBuilder("docker", "build", "-q", "-t", tag, dir.toString())
            .redirectErrorStream(true)
            .start();
    var output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IOException("docker build " + tag + " failed: " + output);
    }
  }

  @AfterAll
  static void close() throws IOException {
    docker.close();
  }

  static ActivationRequest request(String image, String input, long timeoutMs, long maxOutput) {
    return new ActivationRequest(
        UUID.randomUUID().toString().replace("-", ""),
        "exec-it",
        "alice",
        image,
        input,
        timeoutMs,
        64L << 20,
        0.5,
        64,
        maxOutput,
        System.currentTimeMillis(),
        Map.of("GREETING", "hello from the definition", "STOKE_FUNCTION", "spoofed"));
  }

  boolean containerExists(ActivationRequest request) {
    return !docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(ExecSpecs.ACTIVATION_LABEL, request.id()))
        .exec()
        .isEmpty();
  }

  @Test
  void feedsTheParameterOnStdinWithTheFunctionsEnvironmentAndReturnsStdoutAndKeepsStderr() {
    var request = request(UPPER, "hello", 10_000, 1 << 20);

    var activation = runner.run(request);

    assertThat(activation.outcome()).isEqualTo(ActivationOutcome.SUCCEEDED);
    assertThat(activation.stdout()).isEqualTo("HELLO");
    // The definition's variables are set; the platform's own STOKE_* cannot be overridden.
    assertThat(activation.stderrTail()).contains("upper-log hello from the definition/exec-it");
    assertThat(activation.exitCode()).isZero();
    assertThat(containerExists(request)).isFalse();
  }

  @Test
  void killsAndRemovesAContainerThatRunsPastItsTimeout() {
    var request = request(SLEEPER, "", 1_000, 1 << 20);

    var activation = runner.run(request);

    assertThat(activation.outcome()).isEqualTo(ActivationOutcome.TIMED_OUT);
    assertThat(activation.durationMs()).isLessThan(10_000);
    assertThat(containerExists(request)).isFalse();
  }

  @Test
  void reportsTheExitCodeAndStderrOfACrashAndRemovesTheContainer() {
    var request = request(CRASHER, "x", 10_000, 1 << 20);

    var activation = runner.run(request);

    assertThat(activation.outcome()).isEqualTo(ActivationOutcome.FAILED);
    assertThat(activation.exitCode()).isEqualTo(3);
    assertThat(activation.stderrTail()).contains("boom");
    assertThat(containerExists(request)).isFalse();
  }

  @Test
  void failsAnActivationWhoseResultExceedsTheOutputLimit() {
    var request = request(CHATTY, "", 10_000, 1000);

    var activation = runner.run(request);

    assertThat(activation.outcome()).isEqualTo(ActivationOutcome.OUTPUT_TOO_LARGE);
    assertThat(activation.error()).contains("exceeded 1000 bytes");
    assertThat(containerExists(request)).isFalse();
  }

  @Test
  void reportsAMissingImageAsNotStarted() {
    var request = request("stoke-test/does-not-exist:nope", "", 10_000, 1000);

    var activation = runner.run(request);

    assertThat(activation.outcome()).isEqualTo(ActivationOutcome.NOT_STARTED);
    assertThat(activation.error()).contains("does-not-exist");
  }
}
