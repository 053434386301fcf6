package io.stoke.orchestrator;

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

/** Definitions for unit tests. */
public final class TestDefinitions {

  private TestDefinitions() {}

  public static FunctionDefinition python(String name, ScalingPolicy scaling) {
    return new FunctionDefinition(
        name,
        Runtime.PYTHON,
        name,
        "handler.py",
        "1.0",
        FunctionDefinition.templatedImage(name, "1.0"),
        8080,
        ExecutionMode.HTTP,
        Map.of("GREETING", "hi"),
        Duration.ofSeconds(30),
        new Resources(128L * 1024 * 1024, 0.5, 64),
        scaling,
        LoadBalancing.ROUND_ROBIN,
        AuthMode.PUBLIC,
        List.of(),
        null);
  }

  public static ScalingPolicy scaling(int min, int max, Duration idleTimeout) {
    var d = ScalingPolicy.DEFAULT;
    return new ScalingPolicy(
        min,
        max,
        d.concurrency(),
        d.queueSize(),
        idleTimeout,
        d.startTimeout(),
        d.targetUtilization(),
        d.stableWindow(),
        d.panicWindow(),
        d.panicThreshold(),
        d.scaleDownDelay(),
        d.maxScaleUpRate());
  }
}
