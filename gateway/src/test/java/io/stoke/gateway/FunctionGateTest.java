package io.stoke.gateway;

import static io.stoke.gateway.Definitions.function;
import static io.stoke.gateway.Definitions.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

class FunctionGateTest {

  private final MutableClock clock = new MutableClock();
  private final List<String> demands = new ArrayList<>();

  private FunctionGate gate(FunctionDefinition definition) {
    return new FunctionGate(definition, clock, Duration.ofMillis(200), demands::add, true);
  }

  private static CompletableFuture<Lease> acquire(FunctionGate gate) {
    return gate.acquire().toFuture();
  }

  private static GatewayException.Kind failureKind(CompletableFuture<Lease> future) {
    assertThat(future).isCompletedExceptionally();
    return ((GatewayException) future.exceptionNow()).kind();
  }

  @Test
  void grantsAtOnceWhileASlotIsFree() {
    var definition = function("fn", 2, 10);
    var gate = gate(definition);
    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.READY)));

    var first = acquire(gate);
    var second = acquire(gate);

    assertThat(first.join().slot().id()).isEqualTo("a");
    assertThat(second.join().cold()).isFalse();
    assertThat(gate.inflight()).isEqualTo(2);
    assertThat(demands).isEmpty();
  }

  @Test
  void queuesBeyondConcurrencyAndServesTheQueueInOrderAsSlotsFree() {
    var definition = function("fn", 1, 10);
    var gate = gate(definition);
    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.READY)));
    var running = acquire(gate).join();

    var next = acquire(gate);
    var last = acquire(gate);
    assertThat(next).isNotDone();
    assertThat(gate.pending()).isEqualTo(2);

    clock.advance(Duration.ofMillis(40));
    running.release();
    assertThat(next.join().waitedMs()).isEqualTo(40);
    assertThat(next.join().cold()).isFalse();
    assertThat(last).isNotDone();
    next.join().release();
    assertThat(last).isCompleted();
    assertThat(gate.pending()).isZero();
  }

  @Test
  void refusesWith429OnceTheQueueIsFull() {
    var definition = function("fn", 1, 1);
    var gate = gate(definition);
    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.READY)));
    acquire(gate).join();
    var queued = acquire(gate);

    var refused = acquire(gate);

    assertThat(queued).isNotDone();
    assertThat(failureKind(refused)).isEqualTo(GatewayException.Kind.QUEUE_FULL);
  }

  @Test
  void holdsColdRequestsAndSignalsDemandAtMostOncePerInterval() {
    var definition = function("fn", 1, 10);
    var gate = gate(definition);

    var first = acquire(gate);
    acquire(gate);
    clock.advance(Duration.ofMillis(199));
    acquire(gate);
    assertThat(demands).containsExactly("fn");
    clock.advance(Duration.ofMillis(1));
    acquire(gate);

    assertThat(first).isNotDone();
    assertThat(gate.pending()).isEqualTo(4);
    assertThat(demands).containsExactly("fn", "fn");
  }

  @Test
  void releasesHeldRequestsTheMomentAnInstanceIsReady() {
    var definition = function("fn", 0, 10);
    var gate = gate(definition);
    var held = List.of(acquire(gate), acquire(gate), acquire(gate));
    clock.advance(Duration.ofMillis(250));

    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.READY)));

    for (var request : held) {
      assertThat(request.join().cold()).isTrue();
      assertThat(request.join().waitedMs()).isEqualTo(250);
    }
  }

  @Test
  void refusesWith503WhenTooManyRequestsWaitForAColdStart() {
    var definition = function("fn", 1, 2);
    var gate = gate(definition);
    acquire(gate);
    acquire(gate);

    var refused = acquire(gate);

    assertThat(failureKind(refused)).isEqualTo(GatewayException.Kind.COLD_QUEUE_FULL);
    assertThat(((GatewayException) refused.exceptionNow()).retryAfter()).isPositive();
  }

  @Test
  void failsHeldRequestsAtOnceWhenTheColdStartFails() {
    var definition = function("fn", 1, 10);
    var gate = gate(definition);
    var held = acquire(gate);

    gate.coldStartFailed("image not found");

    assertThat(failureKind(held)).isEqualTo(GatewayException.Kind.COLD_START_FAILED);
    assertThat(held.exceptionNow()).hasMessageContaining("image not found");
    assertThat(gate.pending()).isZero();
  }

  @Test
  void aFailedColdStartLeavesRequestsQueuedBehindReadyInstancesAlone() {
    var definition = function("fn", 1, 10);
    var gate = gate(definition);
    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.READY)));
    acquire(gate).join();
    var queued = acquire(gate);

    gate.coldStartFailed("second instance failed");

    assertThat(queued).isNotDone();
  }

  @Test
  void neverRoutesToStartingOrDrainingInstances() {
    var definition = function("fn", 0, 10);
    var gate = gate(definition);
    gate.update(
        definition,
        List.of(
            instance("fn", "starting", 1, InstanceState.STARTING),
            instance("fn", "ready", 2, InstanceState.READY),
            instance("fn", "draining", 3, InstanceState.DRAINING)));

    for (int i = 0; i < 10; i++) {
      assertThat(acquire(gate).join().slot().id()).isEqualTo("ready");
    }
  }

  @Test
  void aDrainingInstanceKeepsReportingUntilItsLastRequestEnded() {
    var definition = function("fn", 0, 10);
    var gate = gate(definition);
    var ready = instance("fn", "a", 1, InstanceState.READY);
    gate.update(definition, List.of(ready));
    var lease = acquire(gate).join();
    var slot = lease.slot();

    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.DRAINING)));
    assertThat(gate.slots()).isEmpty();
    assertThat(gate.activitySlots()).containsExactly(slot);
    slot.takeDirty();
    gate.forgetFlushed();
    assertThat(gate.activitySlots()).as("still a request in flight").containsExactly(slot);

    lease.release();
    assertThat(slot.inflight()).isZero();
    assertThat(slot.takeDirty()).as("the final 0 is still to be written").isTrue();
    gate.forgetFlushed();
    assertThat(gate.activitySlots()).isEmpty();
  }

  @Test
  void keepsInFlightCountsOfInstancesThatStayAcrossUpdates() {
    var definition = function("fn", 1, 10);
    var gate = gate(definition);
    var a = instance("fn", "a", 1, InstanceState.READY);
    gate.update(definition, List.of(a));
    acquire(gate).join();

    gate.update(definition, List.of(a, instance("fn", "b", 2, InstanceState.READY)));

    assertThat(acquire(gate).join().slot().id()).isEqualTo("b");
    assertThat(acquire(gate)).isNotDone();
  }

  @Test
  void aCancelledWaiterLeavesTheQueueAndTakesNoSlot() {
    var definition = function("fn", 1, 10);
    var gate = gate(definition);
    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.READY)));
    var running = acquire(gate).join();
    Disposable cancelled = gate.acquire().subscribe();
    var next = acquire(gate);

    cancelled.dispose();
    assertThat(gate.pending()).isEqualTo(1);
    running.release();

    assertThat(next.join().slot().id()).isEqualTo("a");
    assertThat(gate.inflight()).isEqualTo(1);
  }

  @Test
  void skipsASuspendedInstanceUntilItsSuspensionEnds() {
    var definition = function("fn", 0, 10);
    var gate = gate(definition);
    var a = instance("fn", "a", 1, InstanceState.READY);
    var b = instance("fn", "b", 2, InstanceState.READY);
    gate.update(definition, List.of(a, b));

    gate.suspend("a");
    gate.update(definition, List.of(a, b));
    assertThat(gate.slots()).extracting(Slot::id).containsExactly("b");

    clock.advance(FunctionGate.SUSPENSION);
    gate.update(definition, List.of(a, b));
    assertThat(gate.slots()).extracting(Slot::id).containsExactly("a", "b");
  }

  @Test
  void releasingALeaseTwiceFreesOneSlot() {
    var definition = function("fn", 2, 10);
    var gate = gate(definition);
    gate.update(definition, List.of(instance("fn", "a", 1, InstanceState.READY)));
    var lease = acquire(gate).join();
    acquire(gate).join();

    lease.release();
    lease.release();

    assertThat(gate.inflight()).isEqualTo(1);
  }

  @Test
  void keepsAnEvictedInstanceOutOfRotationUntilTheRegistryListsItDifferently() {
    var definition = function("fn", 0, 10);
    var gate = gate(definition);
    var a = instance("fn", "a", 1, InstanceState.READY);
    var b = instance("fn", "b", 2, InstanceState.READY);
    gate.update(definition, List.of(a, b));

    gate.evict(gate.slots().getFirst());
    clock.advance(Duration.ofMinutes(10));
    gate.update(definition, List.of(a, b));
    assertThat(gate.slots()).extracting(Slot::id).containsExactly("b");

    var restarted = a.ready(a.readyAt() + 1);
    gate.update(definition, List.of(restarted, b));
    assertThat(gate.slots()).extracting(Slot::id).containsExactly("a", "b");
  }

  @Test
  void countsTheRegistrysInstancesByState() {
    var definition = function("fn", 0, 10);
    var gate = gate(definition);

    gate.update(
        definition,
        List.of(
            instance("fn", "a", 1, InstanceState.READY),
            instance("fn", "b", 2, InstanceState.STARTING),
            instance("fn", "c", 3, InstanceState.STARTING)));

    assertThat(gate.instances(InstanceState.READY)).isEqualTo(1);
    assertThat(gate.instances(InstanceState.STARTING)).isEqualTo(2);
    assertThat(gate.instances(InstanceState.DRAINING)).isZero();
  }
}
