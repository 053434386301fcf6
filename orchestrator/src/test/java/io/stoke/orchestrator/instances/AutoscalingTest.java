package io.stoke.orchestrator.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.ScalingPolicy;
import io.stoke.orchestrator.instances.Autoscaling.Report;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which queue reports count as requests waiting for ready capacity. */
class AutoscalingTest {

  private static final long READY_AT = 1_000_000;

  /** Two requests per instance at once. */
  private static final ScalingPolicy POLICY = ScalingPolicy.DEFAULT.withConcurrency(2);

  private static Instance instance(String id, InstanceState state, long readyAt) {
    return new Instance(id, "hello", "1", "d", "127.0.0.1", 1, state, "c", 0, readyAt);
  }

  @Test
  void requestsHeldWhileTheOnlyInstanceStartsAreNotQueueing() {
    var starting = instance("a", InstanceState.STARTING, 0);

    assertThat(Autoscaling.queueingNow(new Report(1, 0, READY_AT), List.of(starting), POLICY))
        .isFalse();
  }

  @Test
  void aReportMadeJustAfterTheInstanceBecameReadyStillCountsHeldRequests() {
    var ready = List.of(instance("a", InstanceState.READY, READY_AT));

    assertThat(Autoscaling.queueingNow(new Report(1, 2, READY_AT - 300), ready, POLICY)).isFalse();
    assertThat(Autoscaling.queueingNow(new Report(1, 2, READY_AT + 100), ready, POLICY)).isFalse();
  }

  @Test
  void aQueueReportedWellAfterEveryInstanceWasReadyWithEverySlotBusyIsQueueing() {
    var ready =
        List.of(
            instance("a", InstanceState.READY, READY_AT - 60_000),
            instance("b", InstanceState.READY, READY_AT));
    long later = READY_AT + Autoscaling.HELD_REPORT_LAG.toMillis();

    assertThat(Autoscaling.queueingNow(new Report(3, 4, later), ready, POLICY)).isTrue();
    assertThat(Autoscaling.queueingNow(new Report(0, 4, later), ready, POLICY)).isFalse();
  }

  @Test
  void requestsPendingWhileSlotsAreFreeAreHeldNotQueueing() {
    var ready = List.of(instance("a", InstanceState.READY, READY_AT - 60_000));

    assertThat(Autoscaling.queueingNow(new Report(1, 1, READY_AT), ready, POLICY)).isFalse();
    assertThat(
            Autoscaling.queueingNow(
                new Report(1, 500, READY_AT), ready, ScalingPolicy.DEFAULT.withConcurrency(0)))
        .isFalse();
  }

  @Test
  void aStartingInstanceIsCapacityOnItsWayEvenBesideReadyOnes() {
    var active =
        List.of(
            instance("a", InstanceState.READY, READY_AT - 60_000),
            instance("b", InstanceState.STARTING, 0));

    assertThat(Autoscaling.queueingNow(new Report(3, 4, READY_AT), active, POLICY)).isFalse();
  }
}
