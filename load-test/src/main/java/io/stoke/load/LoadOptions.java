package io.stoke.load;

import io.stoke.common.definition.Quantities;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code ./stoke load} was asked to do.
 *
 * @param function the function to call
 * @param path the sub-path (with query) to call on it
 * @param method HTTP method
 * @param body request body, or empty
 * @param rate peak requests per second (open model), or empty for the closed model
 * @param concurrency peak concurrent clients (closed model)
 * @param profile shape and duration
 * @param observe how long to keep watching the instances after the load ends
 * @param gateway the gateway's base URL
 * @param redisUrl where to read the function's instances from, or empty
 * @param out folder the report is written to
 */
public record LoadOptions(
    String function,
    String path,
    String method,
    Optional<String> body,
    Optional<Double> rate,
    int concurrency,
    Profile profile,
    Duration observe,
    URI gateway,
    Optional<String> redisUrl,
    Path out) {

  static final String USAGE =
      """
      Usage: ./stoke load FUNCTION [options]
        --rate R            open model: R requests/s at the profile's peak (not slowed by slow answers)
        --concurrency C     closed model: C clients at the peak, each waiting for its answer (default 32)
        --duration D        how long load is sent (default 60s; durations like 30s, 2m)
        --profile P         constant | step | ramp | spike (default step: up in steps, then down)
        --path P            sub-path and query to call, e.g. '/a?ms=100' (default /)
        --method M          HTTP method (default GET, or POST with --body)
        --body TEXT         request body
        --observe D         keep sampling instances after the load, idle (default 25s for step, else 5s)
        --gateway URL       gateway base URL (default http://127.0.0.1:8080, or $STOKE_GATEWAY_URL)
        --redis-url URL     where the instance registry is (default redis://127.0.0.1:6379)
        --out DIR           report folder (default .stoke/reports/load-FUNCTION-TIME)
        -h, --help          this text
      Exit code: 0 when every request got a 2xx answer, 1 when any failed (or none answered),
      2 for bad options.
      """;

  /** True when the arguments ask for the usage text, whatever else they hold. */
  static boolean wantsHelp(String[] args) {
    return java.util.Arrays.stream(args).anyMatch(a -> a.equals("-h") || a.equals("--help"));
  }

  static LoadOptions parse(String[] args, String defaultOut) {
    String function = null;
    String path = "/";
    String method = null;
    String body = null;
    Double rate = null;
    Integer concurrency = null;
    var shape = Profile.Shape.STEP;
    Duration duration = Duration.ofSeconds(60);
    Duration observe = null;
    String gateway =
        Optional.ofNullable(System.getenv("STOKE_GATEWAY_URL")).orElse("http://127.0.0.1:8080");
    String redis =
        Optional.ofNullable(System.getenv("STOKE_REDIS_URL")).orElse("redis://127.0.0.1:6379");
    String out = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        function = a;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--rate" -> rate = positive(a, v);
        case "--concurrency" -> concurrency = (int) (double) positive(a, v);
        case "--duration" -> duration = duration(a, v);
        case "--observe" -> observe = duration(a, v);
        case "--profile" -> shape = Profile.Shape.parse(v);
        case "--path" -> path = v.startsWith("/") ? v : "/" + v;
        case "--method" -> method = v.toUpperCase(java.util.Locale.ROOT);
        case "--body" -> body = v;
        case "--gateway" -> gateway = v;
        case "--redis-url" -> redis = v;
        case "--out" -> out = v;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (function == null || !function.matches("[a-z][a-z0-9-]{0,62}")) {
      throw new IllegalArgumentException("a FUNCTION name is required");
    }
    if (rate != null && concurrency != null) {
      throw new IllegalArgumentException("--rate and --concurrency exclude each other");
    }
    if (observe == null) {
      observe = shape == Profile.Shape.STEP ? Duration.ofSeconds(25) : Duration.ofSeconds(5);
    }
    return new LoadOptions(
        function,
        path,
        method != null ? method : body != null ? "POST" : "GET",
        Optional.ofNullable(body),
        Optional.ofNullable(rate),
        concurrency != null ? concurrency : 32,
        new Profile(shape, duration),
        observe,
        URI.create(gateway.replaceAll("/+$", "")),
        redis.isBlank() || redis.equals("none") ? Optional.empty() : Optional.of(redis),
        Path.of(out != null ? out : defaultOut.replace("FUNCTION", function)));
  }

  private static double positive(String option, String value) {
    try {
      double d = Double.parseDouble(value);
      if (d > 0 && d <= 1_000_000) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed range
    }
    throw new IllegalArgumentException(option + " " + value + ": must be a number in (0, 1000000]");
  }

  private static Duration duration(String option, String value) {
    return Quantities.duration(value)
        .filter(d -> !d.isZero())
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    option + " " + value + ": " + Quantities.DURATION_RULE));
  }

  /** The URI one call goes to. */
  URI target() {
    return URI.create(gateway + "/" + function + (path.equals("/") ? "" : path));
  }

  boolean openModel() {
    return rate.isPresent();
  }
}
