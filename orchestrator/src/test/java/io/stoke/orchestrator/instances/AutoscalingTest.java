package io.stoke.orchestrator.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which queue reports count as requests waiting for ready capacity. */
class AutoscalingTest {

  private static final long READY_AT = 1_000_000;

  private static Instance instance(String id, InstanceState state, long readyAt) {
    return new Instance(id, "hello", "1", "d", "127.0.0.1", 1, state, "c", 0, readyAt);
  }

  @Test
  void requestsHeldWhileTheOnlyInstanceStartsAreNotQueueing() {
    var starting = instance("a", InstanceState.STARTING, 0);

    assertThat(Autoscaling.queueingNow(1, READY_AT + 10_000, List.of(starting))).isFalse();
  }

  @Test
  void aReportMadeJustAfterTheInstanceBecameReadyStillCountsHeldRequests() {
    var ready = instance("a", InstanceState.READY, READY_AT);

    assertThat(Autoscaling.queueingNow(1, READY_AT - 300, List.of(ready))).isFalse();
    assertThat(Autoscaling.queueingNow(1, READY_AT + 100, List.of(ready))).isFalse();
  }

  @Test
  void aQueueReportedWellAfterEveryInstanceWasReadyIsQueueing() {
    var older = instance("a", InstanceState.READY, READY_AT - 60_000);
    var newer = instance("b", InstanceState.READY, READY_AT);
    long later = READY_AT + Autoscaling.HELD_REPORT_LAG.toMillis();

    assertThat(Autoscaling.queueingNow(3, later, List.of(older, newer))).isTrue();
    assertThat(Autoscaling.queueingNow(0, later, List.of(older, newer))).isFalse();
  }

  @Test
  void aStartingInstanceIsCapacityOnItsWayEvenBesideReadyOnes() {
    var ready = instance("a", InstanceState.READY, READY_AT - 60_000);
    var starting = instance("b", InstanceState.STARTING, 0);

    assertThat(Autoscaling.queueingNow(3, READY_AT, List.of(ready, starting))).isFalse();
  }
}
