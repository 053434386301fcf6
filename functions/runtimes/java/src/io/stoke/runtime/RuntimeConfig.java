package io.stoke.runtime;

import java.util.Map;

/**
 * How one runtime process is configured, read from its environment.
 *
 * @param port the TCP port to listen on ({@code PORT}, default 8080)
 * @param concurrency at most this many requests run the handler at once, 0 = unlimited ({@code
 *     STOKE_CONCURRENCY}, default 0)
 * @param function the function's name for logs and errors ({@code STOKE_FUNCTION})
 * @param handler the handler's class name ({@code STOKE_HANDLER})
 * @param drainSeconds how long SIGTERM waits for in-flight requests ({@code STOKE_DRAIN_SECONDS},
 *     default 30)
 */
public record RuntimeConfig(
    int port, int concurrency, String function, String handler, int drainSeconds) {

  public RuntimeConfig {
    check("PORT", port, 0, 65535);
    check("STOKE_CONCURRENCY", concurrency, 0, 100_000);
    check("STOKE_DRAIN_SECONDS", drainSeconds, 0, 3600);
    if (handler == null || handler.isBlank()) {
      throw new IllegalArgumentException("STOKE_HANDLER is not set: name the handler class");
    }
  }

  /** Reads the configuration from environment variables, applying the defaults. */
  public static RuntimeConfig fromEnvironment(Map<String, String> env) {
    return new RuntimeConfig(
        intValue(env, "PORT", 8080),
        intValue(env, "STOKE_CONCURRENCY", 0),
        env.getOrDefault("STOKE_FUNCTION", "function"),
        env.getOrDefault("STOKE_HANDLER", ""),
        intValue(env, "STOKE_DRAIN_SECONDS", 30));
  }

  private static int intValue(Map<String, String> env, String key, int defaultValue) {
    String raw = env.get(key);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " = " + raw + ", must be an integer", e);
    }
  }

  private static void check(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + " = " + value + ", must be in [" + min + ", " + max + "]");
    }
  }
}
