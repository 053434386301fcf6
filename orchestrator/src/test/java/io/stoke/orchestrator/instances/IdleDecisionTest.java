package io.stoke.orchestrator.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.orchestrator.TestDefinitions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdleDecisionTest {

  private static final long NOW = 1_000_000;

  private static Instance ready(String id, long readyAt) {
    return new Instance(
        id, "hello", "1", "d", "127.0.0.1", 1, InstanceState.READY, "c", 0, readyAt);
  }

  @Test
  void drainsAnInstanceWithNoRequestStartedForTheIdleTimeout() {
    var policy = TestDefinitions.scaling(0, 5, Duration.ofSeconds(10));
    var instance = ready("a", NOW - 60_000);
    var drain =
        IdleDecision.toDrain(List.of(instance), Map.of("a", "" + (NOW - 10_000)), policy, NOW);
    assertThat(drain).containsExactly(instance);
  }

  @Test
  void keepsAnInstanceThatStartedARequestRecently() {
    var policy = TestDefinitions.scaling(0, 5, Duration.ofSeconds(10));
    var drain =
        IdleDecision.toDrain(
            List.of(ready("a", NOW - 60_000)), Map.of("a", "" + (NOW - 9_999)), policy, NOW);
    assertThat(drain).isEmpty();
  }

  @Test
  void usesTheReadyTimeWhenTheGatewayRecordedNoActivity() {
    var policy = TestDefinitions.scaling(0, 5, Duration.ofSeconds(10));
    assertThat(IdleDecision.toDrain(List.of(ready("a", NOW - 5_000)), Map.of(), policy, NOW))
        .isEmpty();
    assertThat(IdleDecision.toDrain(List.of(ready("a", NOW - 10_000)), Map.of(), policy, NOW))
        .hasSize(1);
  }

  @Test
  void neverDrainsAnInstanceWithRequestsInFlight() {
    var policy = TestDefinitions.scaling(0, 5, Duration.ofSeconds(1));
    var drain =
        IdleDecision.toDrain(
            List.of(ready("a", NOW - 60_000)), Map.of("a.inflight", "1"), policy, NOW);
    assertThat(drain).isEmpty();
  }

  @Test
  void keepsTheMinimumAndDrainsTheLongestIdleFirst() {
    var policy = TestDefinitions.scaling(1, 5, Duration.ofSeconds(1));
    var older = ready("old", NOW - 60_000);
    var newer = ready("new", NOW - 30_000);
    assertThat(IdleDecision.toDrain(List.of(newer, older), Map.of(), policy, NOW))
        .containsExactly(older);
  }

  @Test
  void leavesStartingAndDrainingInstancesAlone() {
    var policy = TestDefinitions.scaling(0, 5, Duration.ofSeconds(1));
    var starting = ready("s", 0).withState(InstanceState.STARTING);
    var draining = ready("d", 0).withState(InstanceState.DRAINING);
    assertThat(IdleDecision.toDrain(List.of(starting, draining), Map.of(), policy, NOW)).isEmpty();
  }

  private static Instance starting(String id) {
    return new Instance(id, "hello", "1", "d", "127.0.0.1", 1, InstanceState.STARTING, "c", NOW, 0);
  }

  @Test
  void aScaleDownTakesReadyInstancesBeforeAStartingOne() {
    var busy = ready("busy", NOW - 60_000);
    var idle = ready("idle", NOW - 60_000);
    var justStarted = starting("new");
    var activity = Map.of("busy", "" + (NOW - 10), "idle", "" + (NOW - 50_000));

    assertThat(IdleDecision.toScaleDown(List.of(justStarted, busy, idle), activity, 1))
        .containsExactly(idle);
    assertThat(IdleDecision.toScaleDown(List.of(justStarted, busy, idle), activity, 2))
        .containsExactly(idle, busy);
  }

  @Test
  void aStartingInstanceIsTakenOnlyWhenNoReadyOneIsLeft() {
    var justStarted = starting("new");
    var only = ready("only", NOW - 60_000);

    assertThat(IdleDecision.toScaleDown(List.of(justStarted, only), Map.of(), 2))
        .containsExactly(only, justStarted);
  }
}
