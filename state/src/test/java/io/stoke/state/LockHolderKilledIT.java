package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.runtime.Lock;
import io.stoke.runtime.State;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Issue 16's lock proof: a holder of the Python SDK's lock recipe runs in a function container
 * hardened as the orchestrator makes it (uid 10001, no capabilities, read-only root, no network,
 * only its function's socket folder mounted) and is killed with {@code docker kill}. It cannot
 * release anything; its session stops heartbeating and expires, its ephemeral lock node goes, and
 * the waiter (the Java SDK's lock, same function) gets the lock. Real Docker, real redis-server.
 */
class LockHolderKilledIT {

  private static final String IMAGE = "stoke-base/python:bookworm";
  private static final int SESSION_TIMEOUT_MS = 2000;
  private static final Path SDK = Path.of("..", "functions", "runtimes", "python");
  private static final String HOLDER =
      """
      import threading
      from stoke import state
      session = state.Session(timeout_ms=%d)
      lock = state.Lock("/locks/job", session)
      lock.acquire()
      print("held", session.id, lock.node, flush=True)
      threading.Event().wait()  # holds the lock until the container is killed
      """
          .formatted(SESSION_TIMEOUT_MS);

  @Test
  void theNextWaiterGetsTheLockAfterTheKilledHoldersSessionExpires() throws Exception {
    var root = Files.createTempDirectory("state-lock-kill");
    var installation = "test-" + UUID.randomUUID().toString().substring(0, 8);
    var container = "stoke-" + installation + "-lock-holder";
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      var folder = root.resolve("locks");
      Files.createDirectories(folder);
      var state = new State(folder.resolve(SocketListeners.SOCKET));
      Awaitility.await("the socket listens")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> state.get("nothing").isEmpty());

      var run =
          new ArrayList<>(
              List.of(
                  "run",
                  "-d",
                  "--name",
                  container,
                  "--label",
                  "io.stoke.installation=" + installation));
      run.addAll(HardenedRun.flags(folder));
      run.addAll(
          List.of(
              "-v",
              SDK.toAbsolutePath().normalize() + ":/sdk:ro",
              "-e",
              "PYTHONPATH=/sdk",
              "-e",
              "PYTHONDONTWRITEBYTECODE=1",
              IMAGE,
              "python3",
              "-c",
              HOLDER));
      docker(run.toArray(String[]::new));
      var held =
          Awaitility.await("the container holds the lock")
              .atMost(Duration.ofSeconds(60))
              .until(() -> docker("logs", container), logs -> logs.contains("held "));
      var words = held.substring(held.indexOf("held ")).trim().split("\\s+");
      String holderSession = words[1];
      String holderNode = words[2].substring("/locks/job/".length());

      try (var waiterSession = state.openSession(Duration.ofMillis(SESSION_TIMEOUT_MS))) {
        var lock = new Lock("/locks/job", waiterSession);
        var acquired =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    lock.acquire();
                    return System.currentTimeMillis();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                  }
                });
        Awaitility.await("the waiter queues behind the holder")
            .atMost(Duration.ofSeconds(30))
            .until(() -> state.children("/locks/job").size() == 2);
        assertThat(acquired).as("the waiter must not get a held lock").isNotDone();

        docker("kill", container);
        long killedAt = System.currentTimeMillis();
        // The holder can heartbeat no more: its session's deadline (Redis TIME, ms) is final now.
        long deadline;
        var uri = URI.create(redis.url());
        try (var jedis = new Jedis(uri.getHost(), uri.getPort())) {
          deadline = jedis.zscore("stoke:state:sessions", holderSession).longValue();
        }

        long acquiredAt = acquired.get(60, TimeUnit.SECONDS);
        var children = state.children("/locks/job");
        assertThat(children).doesNotContain(holderNode).hasSize(1);
        assertThat(lock.node()).endsWith(children.getFirst());
        assertThat(acquiredAt).as("acquired after the kill").isGreaterThan(killedAt);
        assertThat(acquiredAt)
            .as("acquired only once the holder's session had expired")
            .isGreaterThanOrEqualTo(deadline);
        System.out.printf(
            "lock holder killed: session timeout %d ms; kill → acquired %d ms (goal ≤ timeout + 1 s"
                + " = %d ms: %s); session expiry → acquired %d ms%n",
            SESSION_TIMEOUT_MS,
            acquiredAt - killedAt,
            SESSION_TIMEOUT_MS + 1000,
            acquiredAt - killedAt <= SESSION_TIMEOUT_MS + 1000 ? "met" : "MISSED",
            acquiredAt - deadline);
        lock.release();
      }
    } finally {
      new ProcessBuilder("docker", "rm", "-f", container)
          .redirectErrorStream(true)
          .start()
          .waitFor(60, TimeUnit.SECONDS);
    }
  }

  private static String docker(String... args) throws Exception {
    var command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("docker %s finished", args[0]).isTrue();
    assertThat(process.exitValue()).as("docker %s: %s", args[0], output).isZero();
    return output;
  }
}
