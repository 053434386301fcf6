package io.stoke.orchestrator.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.ActivationOutcome;
import io.stoke.common.contract.ActivationRequest;
import io.stoke.common.contract.ActivationResult;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisClock;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.testing.RedisServer;
import io.stoke.orchestrator.ItSupport;
import io.stoke.orchestrator.RedisConnections;
import io.stoke.orchestrator.docker.Labels;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadGroupParams;

/** The exec worker on a real redis-server and the real Docker engine. */
class ExecWorkerIT {

  @Test
  void aRestartedWorkerFailsTheCallsItHadTakenAndRemovesTheirContainersButNoOtherInstallations()
      throws Exception {
    ExecRunnerIT.buildImages();
    try (var server = RedisServer.start();
        var redis = RedisClient.create(URI.create(server.url()))) {
      // A previous run took an activation off the stream and died running it.
      var request = ExecRunnerIT.request(ExecRunnerIT.SLEEPER, "", 60_000, 1024);
      redis.xgroupCreate(
          RedisKeys.ACTIVATIONS_STREAM, RedisKeys.EXEC_GROUP, new StreamEntryID(), true);
      redis.xadd(
          RedisKeys.ACTIVATIONS_STREAM,
          XAddParams.xAddParams(),
          Map.of("request", Json.write(request)));
      redis.xreadGroup(
          RedisKeys.EXEC_GROUP,
          "orchestrator",
          XReadGroupParams.xReadGroupParams().count(10),
          Map.of(RedisKeys.ACTIVATIONS_STREAM, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
      var leftover = activationContainer(request.id(), ItSupport.INSTALLATION.id());
      // Another installation on the same engine runs an activation of its own right now.
      var foreign = activationContainer("f00d", "other-" + ItSupport.INSTALLATION.id());

      try (var worker = worker(redis)) {
        worker.start();
        var result = resultOf(redis, request, "a result for the interrupted call");
        assertThat(result.outcome()).isEqualTo(ActivationOutcome.FAILED);
        assertThat(result.error()).contains("restarted");
        assertThat(activationContainers()).containsExactly(foreign);
        assertThat(redis.xpending(RedisKeys.ACTIVATIONS_STREAM, RedisKeys.EXEC_GROUP).getTotal())
            .isZero();
      } finally {
        ExecRunnerIT.docker.removeContainerCmd(foreign).withForce(true).exec();
      }
    }
  }

  private static String activationContainer(String activationId, String installation) {
    var id =
        ExecRunnerIT.docker
            .createContainerCmd(ExecRunnerIT.SLEEPER)
            .withLabels(
                Map.of(ExecSpecs.ACTIVATION_LABEL, activationId, Labels.INSTALLATION, installation))
            .exec()
            .getId();
    ExecRunnerIT.docker.startContainerCmd(id).exec();
    return id;
  }

  /** Activation containers of this test run and of the foreign installation it made. */
  private static List<String> activationContainers() {
    return ExecRunnerIT.docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(List.of(ExecSpecs.ACTIVATION_LABEL))
        .exec()
        .stream()
        .filter(
            c ->
                String.valueOf(c.getLabels().get(Labels.INSTALLATION))
                    .endsWith(ItSupport.INSTALLATION.id()))
        .map(c -> c.getId())
        .toList();
  }

  @Test
  void anActivationThatWaitedInTheQueueRunsOnlyForWhatIsLeftOfItsTimeout() throws Exception {
    ExecRunnerIT.buildImages();
    try (var server = RedisServer.start();
        var redis = RedisClient.create(URI.create(server.url()))) {
      // Queued 59 s ago with a 60 s timeout: its caller stops waiting in one second, so the
      // sleeper (30 s) must be stopped after one second, not run to the end of a fresh timeout.
      // Stream entry ids are Redis's clock at XADD: these were queued 61 s and 59 s ago.
      long now = RedisClock.millis(redis);
      var stale = queuedSleeper();
      var request = queuedSleeper();
      redis.xadd(
          RedisKeys.ACTIVATIONS_STREAM,
          new StreamEntryID(now - 61_000, 0),
          Map.of("request", Json.write(stale)));
      redis.xadd(
          RedisKeys.ACTIVATIONS_STREAM,
          new StreamEntryID(now - 59_000, 0),
          Map.of("request", Json.write(request)));

      try (var worker = worker(redis)) {
        worker.start();
        var result = resultOf(redis, request, "a result well before the sleeper's 30 s end");
        assertThat(result.outcome()).isEqualTo(ActivationOutcome.TIMED_OUT);
        assertThat(result.error())
            .contains("timeout 60000 ms")
            .containsPattern("waited 59[0-9]{3} ms of it in the queue");

        // One queued past its whole timeout is not run, and its caller is told so at once.
        var staleResult = resultOf(redis, stale, "the stale call's result");
        assertThat(staleResult.outcome()).isEqualTo(ActivationOutcome.TIMED_OUT);
        assertThat(staleResult.error())
            .containsPattern("waited 61[0-9]{3} ms")
            .contains("was not run");
      }
    }
  }

  @Test
  void aRedisOutageDuringACallNeitherStopsItsContainerNorLosesItsAnswer() throws Exception {
    ExecRunnerIT.buildImages();
    try (var server = RedisServer.start();
        var redis = RedisConnections.open(URI.create(server.url()))) {
      var request = ExecRunnerIT.request(ExecRunnerIT.NAPPER, "", 60_000, 1024);
      redis.xadd(
          RedisKeys.ACTIVATIONS_STREAM,
          XAddParams.xAddParams(),
          Map.of("request", Json.write(request)));
      try (var worker = worker(redis)) {
        worker.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> !activationContainers(request.id()).isEmpty());

        // Redis hangs while the call runs (8 s), long enough for the worker to lose its reads.
        server.pause();
        try {
          await().atMost(Duration.ofSeconds(30)).until(() -> worker.readFailures() > 0);
          assertThat(activationContainers(request.id())).as("the call's container").hasSize(1);
        } finally {
          server.resume();
        }

        var result = resultOf(redis, request, "the call's answer");
        assertThat(result.outcome()).isEqualTo(ActivationOutcome.SUCCEEDED);
        assertThat(result.result()).isEqualTo("rested\n");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    redis.xpending(RedisKeys.ACTIVATIONS_STREAM, RedisKeys.EXEC_GROUP).getTotal()
                        == 0);
        assertThat(activationContainers(request.id())).as("removed once it ended").isEmpty();
      }
    }
  }

  /** A worker as the orchestrator runs it: two calls at once. */
  private static ExecWorker worker(UnifiedJedis redis) {
    var settings = new ExecSettings(true, 2, Duration.ofHours(1), 10, 4096, Duration.ofSeconds(5));
    return new ExecWorker(redis, ExecRunnerIT.runner, settings, "orchestrator", Clock.systemUTC());
  }

  /** The result pushed for {@code request}, waiting up to 30 s for it. */
  private static ActivationResult resultOf(
      UnifiedJedis redis, ActivationRequest request, String what) {
    var popped = redis.blpop(30, RedisKeys.activationResult(request.id()));
    assertThat(popped).as(what).isNotNull();
    return Json.read(popped.getLast(), ActivationResult.class);
  }

  private static List<com.github.dockerjava.api.model.Container> activationContainers(String id) {
    return ExecRunnerIT.docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(ExecSpecs.ACTIVATION_LABEL, id))
        .exec();
  }

  /** A 60-s-timeout call of the 30-s sleeper. */
  private static ActivationRequest queuedSleeper() {
    return ExecRunnerIT.request(ExecRunnerIT.SLEEPER, "", 60_000, 1024);
  }
}
