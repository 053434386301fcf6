package io.stoke.gateway;

import static io.stoke.gateway.Definitions.function;
import static io.stoke.gateway.Definitions.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinitions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionTableTest {

  private final FunctionTable table =
      new FunctionTable(
          Clock.systemUTC(), Duration.ofMillis(200), name -> {}, gate -> {}, gate -> {}, true);

  @Test
  void aRemovedFunctionKeepsReportingItsInstancesUntilTheirLastRequestEndedAndWasWritten() {
    var definition = function("fn", 0, 10);
    table.applyCatalog(
        new FunctionDefinitions(List.of(definition)),
        name -> List.of(instance("fn", "a", 1, InstanceState.READY)));
    var gate = table.gate("fn");
    var lease = gate.acquire().block();
    var slot = lease.slot();
    slot.takeDirty(); // in flight 1 written

    table.applyCatalog(new FunctionDefinitions(List.of()), name -> List.of());

    assertThat(table.gate("fn")).isNull();
    assertThat(table.all()).isEmpty();
    table.forgetReported();
    assertThat(table.activityGates()).as("a request still in flight").containsExactly(gate);
    assertThat(gate.activitySlots()).containsExactly(slot);

    lease.release();
    table.forgetReported();
    assertThat(table.activityGates()).as("the final 0 is not written yet").containsExactly(gate);

    slot.takeDirty(); // the final 0 written
    gate.forgetFlushed();
    table.forgetReported();
    assertThat(table.activityGates()).isEmpty();
  }
}
