package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.LoadBalancing;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BalancerTest {

  private static List<Slot> slots(int count) {
    var slots = new ArrayList<Slot>();
    for (int i = 0; i < count; i++) {
      slots.add(new Slot(Definitions.instance("fn", "i" + i, 9000 + i, InstanceState.READY)));
    }
    return slots;
  }

  @Test
  void roundRobinTakesInstancesInTurn() {
    var slots = slots(3);
    var balancer = Balancer.of(LoadBalancing.ROUND_ROBIN);
    var picked = new ArrayList<String>();
    for (int i = 0; i < 6; i++) {
      picked.add(balancer.pick(slots, 0).id());
    }
    assertThat(picked).containsExactly("i0", "i1", "i2", "i0", "i1", "i2");
  }

  @Test
  void roundRobinSkipsFullInstances() {
    var slots = slots(3);
    slots.get(1).started(1);
    var balancer = Balancer.of(LoadBalancing.ROUND_ROBIN);
    assertThat(balancer.pick(slots, 1).id()).isEqualTo("i0");
    assertThat(balancer.pick(slots, 1).id()).isEqualTo("i2");
  }

  @Test
  void everyPolicyReturnsNothingWhenAllInstancesAreFull() {
    var slots = slots(2);
    slots.forEach(slot -> slot.started(1));
    for (var policy : LoadBalancing.values()) {
      assertThat(Balancer.of(policy).pick(slots, 1)).as(policy.name()).isNull();
      assertThat(Balancer.of(policy).pick(List.of(), 0)).as(policy.name()).isNull();
    }
  }

  @Test
  void leastRequestsPicksTheInstanceWithFewestInFlight() {
    var slots = slots(3);
    slots.get(0).started(1);
    slots.get(0).started(1);
    slots.get(1).started(1);
    var balancer = Balancer.of(LoadBalancing.LEAST_REQUESTS);
    assertThat(balancer.pick(slots, 0).id()).isEqualTo("i2");
  }

  @Test
  void leastRequestsSpreadsTiesAcrossInstances() {
    var slots = slots(3);
    var balancer = Balancer.of(LoadBalancing.LEAST_REQUESTS);
    var picked = new HashSet<String>();
    for (int i = 0; i < 3; i++) {
      picked.add(balancer.pick(slots, 0).id());
    }
    assertThat(picked).containsExactlyInAnyOrder("i0", "i1", "i2");
  }

  @Test
  void randomReachesEveryInstanceAndOnlyFreeOnes() {
    var slots = slots(3);
    slots.get(2).started(1);
    var balancer = Balancer.of(LoadBalancing.RANDOM);
    var picked = new HashSet<String>();
    for (int i = 0; i < 200; i++) {
      picked.add(balancer.pick(slots, 1).id());
    }
    assertThat(picked).containsExactlyInAnyOrder("i0", "i1");
  }
}
