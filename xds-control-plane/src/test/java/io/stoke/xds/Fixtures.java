package io.stoke.xds;

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

/** Function definitions and instances for tests. */
final class Fixtures {

  private Fixtures() {}

  static FunctionDefinition function(String name) {
    return function(name, LoadBalancing.ROUND_ROBIN, 10, 100, Duration.ofSeconds(60));
  }

  static FunctionDefinition function(
      String name, LoadBalancing loadBalancing, int concurrency, int queueSize, Duration timeout) {
    var scaling = ScalingPolicy.DEFAULT.withConcurrency(concurrency).withQueueSize(queueSize);
    return new FunctionDefinition(
        name,
        Runtime.IMAGE,
        null,
        null,
        "1",
        "example/" + name + ":1",
        8080,
        ExecutionMode.HTTP,
        Map.of(),
        timeout,
        Resources.DEFAULT,
        scaling,
        loadBalancing,
        AuthMode.PUBLIC,
        List.of(),
        null);
  }

  static Instance instance(String id, String function, int port, InstanceState state) {
    return instance(id, function, "127.0.0.1", port, state);
  }

  static Instance instance(String id, String function, String host, int port, InstanceState state) {
    return new Instance(
        id,
        function,
        "1",
        "digest",
        host,
        port,
        state,
        "container-" + id,
        1_000L,
        state == InstanceState.STARTING ? 0L : 2_000L);
  }
}
