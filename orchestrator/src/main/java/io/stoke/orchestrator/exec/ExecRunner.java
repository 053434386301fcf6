package io.stoke.orchestrator.exec;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import io.stoke.common.contract.ActivationOutcome;
import io.stoke.common.contract.ActivationRequest;
import io.stoke.orchestrator.docker.ContainerSpec;
import io.stoke.orchestrator.docker.DockerContainers;
import io.stoke.orchestrator.docker.Installation;
import io.stoke.orchestrator.docker.StateMount;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one activation: a fresh container with the parameter on stdin, stdout read (bounded) as the
 * result, stderr kept as its log; the container is removed however the call ends.
 */
public final class ExecRunner {

  private static final Logger log = LoggerFactory.getLogger(ExecRunner.class);

  private final DockerClient docker;
  private final DockerContainers containers;
  private final int logTailBytes;
  private final Installation installation;
  private final Path socket;
  private final StateMount state;

  /**
   * @param installation the installation whose labels activation containers carry
   * @param socket the engine's Unix socket, for the hijacked attach; null when this orchestrator
   *     runs no activations
   */
  public ExecRunner(
      DockerClient docker,
      DockerContainers containers,
      int logTailBytes,
      Installation installation,
      Path socket) {
    this(docker, containers, logTailBytes, installation, socket, StateMount.NONE);
  }

  /** As above; {@code state} mounts each activation's function's state socket folder. */
  public ExecRunner(
      DockerClient docker,
      DockerContainers containers,
      int logTailBytes,
      Installation installation,
      Path socket,
      StateMount state) {
    this.docker = docker;
    this.socket = socket;
    this.containers = containers;
    this.logTailBytes = logTailBytes;
    this.installation = installation;
    this.state = state;
  }

  /** Runs {@code request} with its whole timeout. */
  public Activation run(ActivationRequest request) {
    return run(request, request.timeoutMs());
  }

  /**
   * Runs {@code request} within {@code budgetMs}: what is left of its timeout once it waited in the
   * queue, so an activation ends by the deadline its caller waits for.
   */
  public Activation run(ActivationRequest request, long budgetMs) {
    long start = System.nanoTime();
    if (budgetMs <= 0) {
      return new Activation(
          ActivationOutcome.TIMED_OUT, "", 0, -1, "", timedOut(request, budgetMs), 0);
    }
    var spec = ExecSpecs.forActivation(request, installation, state);
    String id;
    try {
      id = create(spec);
    } catch (RuntimeException e) {
      return new Activation(
          ActivationOutcome.NOT_STARTED,
          "",
          0,
          -1,
          "",
          "cannot start " + spec.image() + ": " + e.getMessage(),
          millisSince(start));
    }
    var output = new Output(request.maxOutputBytes(), logTailBytes);
    try {
      return attachAndWait(id, request, budgetMs, output, start);
    } finally {
      removeWhatever(id);
    }
  }

  /**
   * Removes this installation's activation containers left by an earlier run of this orchestrator
   * that died mid-call; returns how many. Only one orchestrator of an installation runs
   * activations, so none of them is still wanted; other installations' are not ours to touch.
   */
  public int removeLeftovers() {
    var leftovers =
        docker
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(
                java.util.List.of(ExecSpecs.ACTIVATION_LABEL, installation.labelFilter()))
            .exec();
    leftovers.forEach(container -> removeWhatever(container.getId()));
    return leftovers.size();
  }

  /**
   * Removes the container however the call ended. A failure here is logged, never allowed to
   * replace the activation's result; an interrupted caller still gets its container removed.
   */
  private void removeWhatever(String id) {
    boolean interrupted = Thread.interrupted();
    try {
      containers.remove(id);
    } catch (RuntimeException e) {
      log.error("Cannot remove activation container {}: {}", id, e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Activation attachAndWait(
      String id, ActivationRequest request, long budgetMs, Output output, long start) {
    try (var attach = AttachStream.open(socket, id)) {
      docker.startContainerCmd(id).exec();
      var pump =
          CompletableFuture.runAsync(
              () -> {
                try {
                  attach.pump(output);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              task -> Thread.ofVirtual().name("stoke-exec-attach").start(task));
      // On a thread of its own, under the same deadline as the rest: a function that never
      // reads stdin must not block the call past its timeout (closing the attach ends the write).
      var input = request.input().getBytes(StandardCharsets.UTF_8);
      Thread.ofVirtual()
          .name("stoke-exec-stdin")
          .start(
              () -> {
                try {
                  attach.sendStdin(input);
                } catch (IOException e) {
                  log.debug("Activation {} did not take all its input: {}", id, e.toString());
                }
              });
      long remainingMs = budgetMs - millisSince(start);
      try {
        pump.get(Math.max(1, remainingMs), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        return ended(ActivationOutcome.TIMED_OUT, output, -1, timedOut(request, budgetMs), start);
      }
      if (output.exceeded()) {
        return ended(
            ActivationOutcome.OUTPUT_TOO_LARGE,
            output,
            -1,
            "the result exceeded " + request.maxOutputBytes() + " bytes",
            start);
      }
      int code = exitCode(id);
      return code == 0
          ? ended(ActivationOutcome.SUCCEEDED, output, 0, "", start)
          : ended(
              ActivationOutcome.FAILED, output, code, "the function exited with " + code, start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ended(ActivationOutcome.FAILED, output, -1, "interrupted", start);
    } catch (ExecutionException | IOException | RuntimeException e) {
      return ended(ActivationOutcome.FAILED, output, -1, "activation failed: " + e, start);
    }
  }

  private static String timedOut(ActivationRequest request, long budgetMs) {
    long queued = request.timeoutMs() - budgetMs;
    return "the function did not finish within its timeout "
        + request.timeoutMs()
        + " ms"
        + (queued > 0 ? " (it waited " + queued + " ms of it in the queue)" : "");
  }

  private Activation ended(
      ActivationOutcome outcome, Output output, int code, String error, long start) {
    String result = outcome == ActivationOutcome.SUCCEEDED ? output.stdout() : "";
    return new Activation(
        outcome,
        result,
        output.stdoutBytes(),
        code,
        output.stderrTail(),
        error,
        millisSince(start));
  }

  private int exitCode(String id) {
    Integer code =
        docker
            .waitContainerCmd(id)
            .exec(new WaitContainerResultCallback())
            .awaitStatusCode(5, TimeUnit.SECONDS);
    return code == null ? -1 : code;
  }

  private String create(ContainerSpec spec) {
    var host = DockerContainers.hardened(spec).withNetworkMode(spec.network());
    return docker
        .createContainerCmd(spec.image())
        .withName(spec.name())
        .withLabels(spec.labels())
        .withEnv(spec.environment())
        .withUser(spec.user())
        .withStdinOpen(true)
        .withStdInOnce(true)
        .withAttachStdin(true)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .withHostConfig(host)
        .exec()
        .getId();
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Collects stdout up to a limit and the last bytes of stderr. */
  static final class Output implements AttachStream.Sink {
    private final long maxStdout;
    private final int tailBytes;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private long stdoutBytes;
    private volatile boolean exceeded;

    Output(long maxStdout, int tailBytes) {
      this.maxStdout = maxStdout;
      this.tailBytes = tailBytes;
    }

    @Override
    public synchronized boolean accept(int stream, byte[] payload) {
      if (stream == 2) {
        stderr.writeBytes(payload);
        if (stderr.size() > tailBytes * 4L) {
          byte[] all = stderr.toByteArray();
          stderr.reset();
          stderr.write(all, all.length - tailBytes, tailBytes);
        }
        return true;
      }
      stdoutBytes += payload.length;
      if (stdoutBytes > maxStdout) {
        exceeded = true;
        return false;
      }
      stdout.writeBytes(payload);
      return true;
    }

    boolean exceeded() {
      return exceeded;
    }

    synchronized long stdoutBytes() {
      return stdoutBytes;
    }

    synchronized String stdout() {
      return stdout.toString(StandardCharsets.UTF_8);
    }

    synchronized String stderrTail() {
      byte[] all = stderr.toByteArray();
      int from = Math.max(0, all.length - tailBytes);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
  }
}
