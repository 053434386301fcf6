package io.stoke.gateway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceEvent.Type;
import org.junit.jupiter.api.Test;

class EventLogTest {

  private final EventLog log = new EventLog();

  @Test
  void aFailedColdStartIsTheFunctionsStateUntilAnInstanceIsReady() {
    log.accept(new InstanceEvent(Type.FAILED, "hello", "i1", "image build failed: exit 1", 1));
    assertThat(log.failure("hello").reason()).isEqualTo("image build failed: exit 1");

    log.accept(new InstanceEvent(Type.READY, "hello", "i2", "", 2));
    assertThat(log.failure("hello")).isNull();
  }

  @Test
  void keepsEachFunctionsLatestEventsNewestFirst() {
    for (int i = 0; i < EventLog.PER_FUNCTION + 5; i++) {
      log.accept(new InstanceEvent(Type.STARTING, "hello", "i" + i, "", i));
    }
    log.accept(new InstanceEvent(Type.FUNCTIONS_CHANGED, "", "", "", 99));

    var recent = log.recent("hello");
    assertThat(recent).hasSize(EventLog.PER_FUNCTION);
    assertThat(recent.getFirst().instanceId()).isEqualTo("i" + (EventLog.PER_FUNCTION + 4));
    assertThat(log.recent("other")).isEmpty();
  }
}
