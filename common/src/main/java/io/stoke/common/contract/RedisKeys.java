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
   * SET of a function's instance ids that every connected xDS client routing the function (Envoy)
   * has acknowledged in an endpoint update: until an instance is in it, Envoy may not know it yet.
   * Written by the xDS control plane; read by the gateway in envoy mode, which releases held
   * requests to Envoy only for instances in it. Announced with {@link InstanceEvent.Type#ROUTED}.
   */
  public static String routed(String function) {
    return "stoke:routed:" + function;
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

  /**
   * HASH user name → user JSON ({@code name}, password hash, {@code createdAt}). Written and read
   * only by the api-server; registration uses HSETNX so a name is taken once.
   */
  public static final String USERS = "stoke:users";

  /**
   * HASH API key id → {@link ApiKey} JSON (owner and SHA-256 of the key's secret, never the key).
   * Written by the api-server (create, revoke = HDEL); read by the gateway on every authenticated
   * request, so a revoked key fails at once.
   */
  public static final String API_KEYS = "stoke:api-keys";

  /**
   * STRING: the secret Stoke's services send in {@code X-Stoke-Gateway-Secret} ({@link
   * InternalSecret}): the gateway so the api-server trusts its {@code X-Stoke-User}, the api-server
   * on the orchestrator's {@code /internal/**}. Set once with SET NX by whichever service starts
   * first, unless all are configured with one.
   */
  public static final String INTERNAL_SECRET = "stoke:internal-secret";

  /**
   * HASH function name → user function JSON of one owner. Written by the api-server; the internal
   * function name is {@code u-<owner>-<name>}.
   */
  public static String userFunctions(String owner) {
    return "stoke:user-functions:" + owner;
  }

  /**
   * SET of the owners that have (or had) user functions, so the orchestrator reads every {@link
   * #userFunctions(String)} hash without a SCAN. Added to by the api-server on registration; an
   * owner whose hash is empty may stay. After every registration or deletion the api-server
   * publishes an {@link InstanceEvent.Type#FUNCTIONS_CHANGED} on {@link #EVENTS} whose {@code
   * function} is the internal {@code u-<owner>-<name>}: the orchestrator then re-reads the user
   * functions and publishes the {@code mode: http} ones in {@link #FUNCTIONS} (the catalog's own
   * announcements carry an empty {@code function}).
   */
  public static final String USER_FUNCTION_OWNERS = "stoke:user-function-owners";

  /**
   * STREAM of {@link ActivationRequest}s (field {@code request}, JSON): one exec-mode call each.
   * Appended by the api-server after the parallel limits admitted it; consumed by the
   * orchestrator's exec workers through the consumer group {@link #EXEC_GROUP}.
   */
  public static final String ACTIVATIONS_STREAM = "stoke:activations";

  /** Consumer group of the orchestrator's exec workers on {@link #ACTIVATIONS_STREAM}. */
  public static final String EXEC_GROUP = "exec";

  /**
   * LIST holding the one {@link ActivationResult} JSON of an activation; the caller waits on it
   * with BLPOP bounded by the function's timeout. Pushed by the exec worker; expires soon after.
   */
  public static String activationResult(String activationId) {
    return "stoke:activation-result:" + activationId;
  }

  /**
   * STRING {@link ActivationRecord} JSON of one finished activation, expiring after the configured
   * retention. Written by the exec worker; read by the api-server for the owner only.
   */
  public static String activation(String activationId) {
    return "stoke:activation:" + activationId;
  }

  /**
   * LIST of a function's most recent activation ids, newest first, trimmed to the configured
   * length. Written by the exec worker; read by the api-server.
   */
  public static String functionActivations(String function) {
    return "stoke:function-activations:" + function;
  }

  /**
   * ZSET of the exec activations admitted platform-wide: member activation id, score its deadline
   * (epoch ms on Redis's clock, so api-servers on different hosts agree). Checked and added to
   * atomically with {@link #execAdmissions(String)} by the api-server, removed after the result; a
   * member past its deadline no longer counts (its api-server died before releasing it). The key
   * expires with its latest deadline.
   */
  public static final String EXEC_ADMISSIONS = "stoke:exec-admissions";

  /** ZSET of one function's admitted exec activations, as {@link #EXEC_ADMISSIONS}. */
  public static String execAdmissions(String function) {
    return "stoke:exec-admissions:" + function;
  }
}
