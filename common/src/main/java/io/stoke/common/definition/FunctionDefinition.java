package io.stoke.common.definition;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One registered function: what to run, how to reach it, and how it scales.
 *
 * @param name the function's path segment: {@code /name/...} routes to it
 * @param runtime the runtime template its image is built from, or {@link Runtime#IMAGE}
 * @param source folder under {@code functions/} holding its sources (for {@code image}: an optional
 *     folder with a Dockerfile that builds {@code image}); null when there is none
 * @param handler python: the file defining {@code handle(request)}; java: the handler class
 * @param version the function's version, part of its image tag
 * @param image the image reference; for templated runtimes {@code stoke-fn/<name>:<version>}
 * @param port the port the function's server listens on inside the container
 * @param mode long-running HTTP server, or one container per call
 * @param environment variables set in every instance
 * @param timeout the longest a call may take, hold time included
 * @param auth whether callers must present an API key
 * @param dependencies extra packages installed into a templated image (pip packages for python)
 * @param readinessPath the path an instance answers with a 2xx once it serves; null means {@link
 *     #DEFAULT_READINESS_PATH}, which every Stoke runtime answers
 * @param pure whether the function's answer depends on its request alone (no side effects, no
 *     state): only then may the gateway cache it
 * @param cache how the gateway caches its answers, or null for no caching; needs {@code pure}
 */
public record FunctionDefinition(
    String name,
    Runtime runtime,
    String source,
    String handler,
    String version,
    String image,
    int port,
    ExecutionMode mode,
    Map<String, String> environment,
    Duration timeout,
    Resources resources,
    ScalingPolicy scaling,
    LoadBalancing loadBalancing,
    AuthMode auth,
    List<String> dependencies,
    String readinessPath,
    boolean pure,
    ResultCache cache) {

  /** Lower-case letters, digits and dashes; dot-free so Envoy's stat names stay parseable. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  /** Path segments the platform keeps for itself. */
  public static final List<String> RESERVED_NAMES =
      List.of("api", "actuator", "health", "metrics", "stoke", "ui", "favicon.ico");

  /**
   * Prefix of the internal names of functions users register through the API ({@code
   * u-<owner>-<name>}); definitions files cannot use it.
   */
  public static final String USER_PREFIX = "u-";

  /**
   * One pip requirement as {@code pip install} takes it on its command line: a name with extras and
   * version specifiers, or a URL or path; no spaces, quotes or shell characters.
   */
  public static final Pattern DEPENDENCY =
      Pattern.compile("[A-Za-z0-9./][A-Za-z0-9._+~=<>!*,:/@#\\[\\]-]{0,199}");

  /** The readiness path of Stoke's runtimes. */
  public static final String DEFAULT_READINESS_PATH = "/_/ready";

  /** An absolute path and query of visible ASCII: it goes into the probe's request line as is. */
  public static final Pattern READINESS_PATH = Pattern.compile("/[!-~]{0,255}");

  /** {@link #READINESS_PATH}, worded for error messages. */
  public static final String READINESS_PATH_RULE =
      "must be an absolute path of visible ASCII (no spaces), e.g. /healthz";

  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public FunctionDefinition {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches() || RESERVED_NAMES.contains(name)) {
      throw new IllegalArgumentException("name = " + name + ", " + nameRule());
    }
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(mode, "mode");
    Checks.inRange("port", port, 1, 65535);
    environment = Map.copyOf(environment);
    Checks.positive("timeout", timeout);
    if (timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException("timeout = " + timeout + ", must be at most 1h");
    }
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(scaling, "scaling");
    Objects.requireNonNull(loadBalancing, "loadBalancing");
    Objects.requireNonNull(auth, "auth");
    dependencies = List.copyOf(dependencies);
    readinessPath = readinessPath == null ? DEFAULT_READINESS_PATH : readinessPath;
    if (!READINESS_PATH.matcher(readinessPath).matches()) {
      throw new IllegalArgumentException(
          "readinessPath = " + readinessPath + ", " + READINESS_PATH_RULE);
    }
    ResultCache.requirePure(name, pure, cache);
    if (runtime.isTemplated() && (source == null || handler == null)) {
      throw new IllegalArgumentException(
          "function " + name + ": runtime " + runtime.yamlName() + " needs source and handler");
    }
  }

  /** A function that is not declared pure and whose answers are not cached. */
  public FunctionDefinition(
      String name,
      Runtime runtime,
      String source,
      String handler,
      String version,
      String image,
      int port,
      ExecutionMode mode,
      Map<String, String> environment,
      Duration timeout,
      Resources resources,
      ScalingPolicy scaling,
      LoadBalancing loadBalancing,
      AuthMode auth,
      List<String> dependencies,
      String readinessPath) {
    this(
        name,
        runtime,
        source,
        handler,
        version,
        image,
        port,
        mode,
        environment,
        timeout,
        resources,
        scaling,
        loadBalancing,
        auth,
        dependencies,
        readinessPath,
        false,
        null);
  }

  /** The same function, declared pure (or not) and cached as {@code cache} says. */
  public FunctionDefinition withCaching(boolean pure, ResultCache cache) {
    return new FunctionDefinition(
        name,
        runtime,
        source,
        handler,
        version,
        image,
        port,
        mode,
        environment,
        timeout,
        resources,
        scaling,
        loadBalancing,
        auth,
        dependencies,
        readinessPath,
        pure,
        cache);
  }

  /** True when the gateway caches this function's answers. */
  public boolean cached() {
    return pure && cache != null;
  }

  /** The rule a name must follow, worded for error messages. */
  public static String nameRule() {
    return "must match [a-z][a-z0-9-]{0,62} (lower-case letters, digits, dashes; no dots)"
        + " and not be one of the reserved names "
        + RESERVED_NAMES;
  }

  /** The image tag Stoke builds a templated function into. */
  public static String templatedImage(String name, String version) {
    return "stoke-fn/" + name + ":" + version;
  }

  /** True when Stoke builds this function's image (from a template or its own Dockerfile). */
  public boolean isBuilt() {
    return runtime.isTemplated() || source != null;
  }

  /**
   * A stable digest of everything in the definition that changes what an instance runs; two
   * definitions with equal digests can share instances.
   */
  public String definitionDigest() {
    var text = new StringBuilder();
    text.append(name).append('\n').append(runtime).append('\n').append(source).append('\n');
    text.append(handler).append('\n').append(version).append('\n').append(image).append('\n');
    text.append(port).append('\n').append(mode).append('\n');
    new TreeMap<>(environment).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    text.append(resources).append('\n').append(dependencies).append('\n');
    return sha256(text.toString()).substring(0, 16);
  }

  static String sha256(String text) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
