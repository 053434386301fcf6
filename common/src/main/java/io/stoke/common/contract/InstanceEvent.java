package io.stoke.common.contract;

/**
 * A change in the instance registry or the function set, published on {@link RedisKeys#EVENTS}.
 * Subscribers treat events as hints and re-read the registry, so a missed event costs latency,
 * never correctness.
 *
 * @param type what happened
 * @param function the function concerned; empty for {@link Type#FUNCTIONS_CHANGED}
 * @param instanceId the instance concerned, or empty
 * @param reason a human-readable reason (failures, removals), or empty
 * @param at epoch milliseconds
 */
public record InstanceEvent(Type type, String function, String instanceId, String reason, long at) {

  /** Kinds of events. */
  public enum Type {
    /** A container was created and is being probed. */
    STARTING,
    /** An instance answers {@code /_/ready}: release held requests. */
    READY,
    /** An instance takes no new requests. */
    DRAINING,
    /** An instance is gone. */
    REMOVED,
    /** A cold start failed: fail held requests at once with {@code reason}. */
    FAILED,
    /** The set of functions or one definition changed: re-read {@link RedisKeys#FUNCTIONS}. */
    FUNCTIONS_CHANGED,
    /** Envoy now routes to the instances in {@link RedisKeys#routed(String)} of the function. */
    ROUTED
  }

  public InstanceEvent {
    function = function == null ? "" : function;
    instanceId = instanceId == null ? "" : instanceId;
    reason = reason == null ? "" : reason;
  }

  public static InstanceEvent of(Type type, Instance instance, long at) {
    return new InstanceEvent(type, instance.function(), instance.id(), "", at);
  }
}
