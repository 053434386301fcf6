package io.stoke.orchestrator.instances;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.definition.ScalingPolicy;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Decides which instances of one function to drain (idle ones, or for a scale-down); no I/O. */
public final class IdleDecision {

  private IdleDecision() {}

  /**
   * The instances to drain now, longest idle first. An instance is idle when no request started on
   * it for {@code idleTimeout} (the gateway's activity record, else its ready time) and none is in
   * flight; at least {@code minInstances} non-draining instances always remain.
   *
   * @param instances the function's registered instances
   * @param activity the function's activity hash ({@link RedisKeys#activity})
   * @param nowMs the current epoch milliseconds
   */
  public static List<Instance> toDrain(
      List<Instance> instances, Map<String, String> activity, ScalingPolicy policy, long nowMs) {
    var active = instances.stream().filter(i -> i.state() != InstanceState.DRAINING).toList();
    int drainable = active.size() - policy.minInstances();
    if (drainable <= 0) {
      return List.of();
    }
    long idleMs = policy.idleTimeout().toMillis();
    return active.stream()
        .filter(Instance::isReady)
        .filter(i -> inflight(activity, i.id()) == 0)
        .filter(i -> nowMs - lastStart(activity, i) >= idleMs)
        .sorted(Comparator.comparingLong(i -> lastStart(activity, i)))
        .limit(drainable)
        .toList();
  }

  /**
   * The {@code count} instances a scale-down drains: READY ones first, longest idle first; a
   * STARTING one is capacity about to arrive (and the autoscaler just asked for it), so it is taken
   * only when no READY one is left.
   */
  public static List<Instance> toScaleDown(
      List<Instance> active, Map<String, String> activity, int count) {
    return active.stream()
        .sorted(
            // false sorts first: READY before STARTING.
            Comparator.comparing((Instance i) -> !i.isReady())
                .thenComparingLong(i -> lastStart(activity, i)))
        .limit(Math.max(0, count))
        .toList();
  }

  /** Epoch ms of the last request started on the instance, or its ready time if none. */
  static long lastStart(Map<String, String> activity, Instance instance) {
    return Math.max(parse(activity.get(instance.id())), instance.readyAt());
  }

  static long inflight(Map<String, String> activity, String instanceId) {
    return parse(activity.get(RedisKeys.inflightField(instanceId)));
  }

  private static long parse(String value) {
    if (value == null) {
      return 0;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
