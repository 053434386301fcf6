package io.stoke.common.contract;

/**
 * The Redis contract between Stoke's services: every key, stream and channel, its payload, who
 * writes it and who reads it. docs/ARCHITECTURE.md describes the same contract in prose.
 */
public final class RedisKeys {

  private RedisKeys() {}

  /**
   * HASH function name → {@code FunctionDefinition} JSON of every deployable function. Written by
   * the orchestrator when definitions load or reload; read by the gateway and the xDS control
   * plane. A change is announced by {@link InstanceEvent.Type#FUNCTIONS_CHANGED}.
   */
  public static final String FUNCTIONS = "stoke:functions";

  /**
   * PUB/SUB channel of {@link InstanceEvent} JSON. Published by the orchestrator; subscribed by the
   * gateway (release or fail held requests) and the xDS control plane (rebuild snapshots).
   */
  public static final String EVENTS = "stoke:events";

  /**
   * STREAM of demand for cold functions, fields {@code function}, {@code at} (epoch ms), {@code
   * source}. Appended by the gateway when a request finds no READY instance; consumed by the
   * orchestrator through the consumer group {@link #ORCHESTRATOR_GROUP}, so a restarted
   * orchestrator loses none.
   */
  public static final String DEMAND_STREAM = "stoke:demand";

  /**
   * STREAM of scale-up signals, fields {@code function}, {@code pending}, {@code inflight}, {@code
   * at}. Appended by the stats listener as soon as requests queue; consumed by the orchestrator
   * through {@link #ORCHESTRATOR_GROUP}.
   */
  public static final String SCALE_STREAM = "stoke:scale";

  /** Consumer group the orchestrator reads both streams with. */
  public static final String ORCHESTRATOR_GROUP = "orchestrator";

  /** Streams are trimmed to about this many entries. */
  public static final long STREAM_MAX_LENGTH = 10_000;

  /** Set of the names of functions that have instances, so readers need no SCAN. */
  public static final String INSTANCE_FUNCTIONS = "stoke:instance-functions";

  /**
   * HASH instance id → {@link Instance} JSON, one per function. Written only by the orchestrator;
   * read by the gateway and the xDS control plane.
   */
  public static String instances(String function) {
    return "stoke:instances:" + function;
  }

  /**
   * HASH of a function's load as aggregated by the stats listener over its last window: fields
   * {@code pending}, {@code inflight}, {@code rps}, {@code overflow}, {@code at} (epoch ms).
   * Expires when no stats arrive. Read by the orchestrator's autoscaler.
   */
  public static String load(String function) {
    return "stoke:load:" + function;
  }

  /**
   * HASH of request activity per instance, written by the gateway: field {@code <instanceId>} →
   * epoch ms of the last request <em>started</em> on it, and {@code <instanceId>.inflight} →
   * requests in flight on it now. Read by the orchestrator for idle and drain decisions.
   */
  public static String activity(String function) {
    return "stoke:activity:" + function;
  }

  /** The activity field holding an instance's in-flight count. */
  public static String inflightField(String instanceId) {
    return instanceId + ".inflight";
  }
}
