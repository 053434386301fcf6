package io.stoke.gateway;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.AuthMode;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.definition.Resources;
import io.stoke.common.definition.Runtime;
import io.stoke.common.definition.ScalingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Small builders of definitions and instances for the gateway's tests. */
final class Definitions {

  private Definitions() {}

  static FunctionDefinition function(
      String name, int concurrency, int queueSize, Duration timeout, LoadBalancing balancing) {
    var scaling = ScalingPolicy.DEFAULT.withConcurrency(concurrency).withQueueSize(queueSize);
    return new FunctionDefinition(
        name,
        Runtime.PYTHON,
        name,
        "handler.py",
        "1",
        FunctionDefinition.templatedImage(name, "1"),
        8080,
        ExecutionMode.HTTP,
        Map.of(),
        timeout,
        Resources.DEFAULT,
        scaling,
        balancing,
        AuthMode.PUBLIC,
        List.of(),
        null);
  }

  static FunctionDefinition function(String name, int concurrency, int queueSize) {
    return function(
        name, concurrency, queueSize, Duration.ofSeconds(10), LoadBalancing.ROUND_ROBIN);
  }

  static Instance instance(String function, String id, int port, InstanceState state) {
    long now = System.currentTimeMillis();
    return new Instance(
        id,
        function,
        "1",
        "digest",
        "127.0.0.1",
        port,
        state,
        "container-" + id,
        now,
        state == InstanceState.READY ? now : 0);
  }
}
