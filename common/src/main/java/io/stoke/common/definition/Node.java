package io.stoke.common.definition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A YAML mapping being read into typed values. Every bad value is recorded as a problem naming its
 * full path and what is allowed, and reading goes on with the default, so one pass reports every
 * problem of a file.
 */
final class Node {

  private final String path;
  private final Map<String, Object> values;
  private final List<DefinitionProblem> problems;

  Node(String path, Map<String, Object> values, List<DefinitionProblem> problems) {
    this.path = path;
    this.values = values;
    this.problems = problems;
  }

  List<DefinitionProblem> problemsSink() {
    return problems;
  }

  String path() {
    return path;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  /**
   * True when the key is written, even with no value ({@code functions:} with nothing under it).
   */
  boolean present(String key) {
    return values.containsKey(key);
  }

  Object raw(String key) {
    return values.get(key);
  }

  void problem(String key, Object value, String rule) {
    problems.add(
        new DefinitionProblem(pathOf(key), pathOf(key) + " = " + show(value) + ", " + rule));
  }

  void problem(String key, String message) {
    problems.add(new DefinitionProblem(pathOf(key), pathOf(key) + ": " + message));
  }

  /** Records every key not in {@code allowed}, with the closest allowed key as a hint. */
  void rejectUnknownKeys(Collection<String> allowed) {
    for (var key : values.keySet()) {
      if (!allowed.contains(key)) {
        var hint = closest(key, allowed).map(k -> " did you mean '" + k + "'?").orElse("");
        problem(key, "unknown key," + hint + " Allowed: " + String.join(", ", allowed));
      }
    }
  }

  Optional<String> string(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    Object value = values.get(key);
    if (value instanceof Map || value instanceof List) {
      problem(key, value, "must be a single value");
      return Optional.empty();
    }
    return Optional.of(String.valueOf(value).trim());
  }

  String string(String key, String fallback) {
    return string(key).orElse(fallback);
  }

  boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    if (!(values.get(key) instanceof Boolean value)) {
      problem(key, values.get(key), "must be true or false");
      return fallback;
    }
    return value;
  }

  int integer(String key, int fallback, int min, int max) {
    if (!has(key)) {
      return fallback;
    }
    Object value = values.get(key);
    if (!(value instanceof Integer || value instanceof Long)) {
      problem(key, value, "must be a whole number in [" + min + ", " + max + "]");
      return fallback;
    }
    long number = ((Number) value).longValue();
    if (number < min || number > max) {
      problem(key, value, "must be in [" + min + ", " + max + "]");
      return fallback;
    }
    return (int) number;
  }

  double decimal(String key, double fallback, double min, double max, String rule) {
    if (!has(key)) {
      return fallback;
    }
    Object value = values.get(key);
    if (!(value instanceof Number number)) {
      problem(key, value, "must be a number " + rule);
      return fallback;
    }
    double d = number.doubleValue();
    if (!(d >= min && d <= max)) {
      problem(key, value, "must be " + rule);
      return fallback;
    }
    return d;
  }

  Duration duration(String key, Duration fallback, Duration min, Duration max) {
    var text = string(key);
    if (text.isEmpty()) {
      return fallback;
    }
    var parsed = Quantities.duration(text.get());
    if (parsed.isEmpty()) {
      problem(key, text.get(), Quantities.DURATION_RULE);
      return fallback;
    }
    if (parsed.get().compareTo(min) < 0 || parsed.get().compareTo(max) > 0) {
      problem(
          key,
          text.get(),
          "must be in [" + Quantities.format(min) + ", " + Quantities.format(max) + "]");
      return fallback;
    }
    return parsed.get();
  }

  long memory(String key, long fallback, long min, long max) {
    var text = string(key);
    if (text.isEmpty()) {
      return fallback;
    }
    var parsed = Quantities.memory(text.get());
    if (parsed.isEmpty()) {
      problem(key, text.get(), Quantities.MEMORY_RULE);
      return fallback;
    }
    if (parsed.get() < min || parsed.get() > max) {
      problem(key, text.get(), "must be in [6m, 64g]");
      return fallback;
    }
    return parsed.get();
  }

  /** Reads one of an enum's YAML spellings (from {@code yamlNames}). */
  <E extends Enum<E>> E choice(
      String key, E fallback, Class<E> type, java.util.function.Function<E, String> yamlName) {
    var text = string(key);
    if (text.isEmpty()) {
      return fallback;
    }
    for (E constant : type.getEnumConstants()) {
      if (yamlName.apply(constant).equalsIgnoreCase(text.get())) {
        return constant;
      }
    }
    var allowed = Arrays.stream(type.getEnumConstants()).map(yamlName).toList();
    var hint = closest(text.get(), allowed).map(k -> " (did you mean '" + k + "'?)").orElse("");
    problem(key, text.get(), "must be one of " + String.join(", ", allowed) + hint);
    return fallback;
  }

  Map<String, String> stringMap(String key) {
    if (!has(key)) {
      return Map.of();
    }
    if (!(values.get(key) instanceof Map<?, ?> map)) {
      problem(key, values.get(key), "must be a mapping of NAME: value");
      return Map.of();
    }
    var result = new LinkedHashMap<String, String>();
    map.forEach(
        (k, v) -> {
          var name = String.valueOf(k);
          if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            problem(key + "." + name, "is not a valid environment variable name");
          } else if (v instanceof Map || v instanceof List) {
            problem(key + "." + name, v, "must be a single value");
          } else {
            result.put(name, v == null ? "" : String.valueOf(v));
          }
        });
    return result;
  }

  List<String> stringList(String key) {
    if (!has(key)) {
      return List.of();
    }
    Object value = values.get(key);
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).map(String::trim).toList();
    }
    if (value instanceof Map) {
      problem(key, value, "must be a list");
      return List.of();
    }
    return Arrays.stream(String.valueOf(value).split("[\\s,]+")).filter(s -> !s.isBlank()).toList();
  }

  /** The nested mapping under {@code key}; an empty one when absent or not a mapping. */
  Node child(String key) {
    if (!has(key)) {
      return new Node(pathOf(key), Map.of(), problems);
    }
    if (!(values.get(key) instanceof Map<?, ?> map)) {
      problem(key, values.get(key), "must be a mapping");
      return new Node(pathOf(key), Map.of(), problems);
    }
    return new Node(pathOf(key), stringKeys(map), problems);
  }

  static Map<String, Object> stringKeys(Map<?, ?> map) {
    var result = new LinkedHashMap<String, Object>();
    map.forEach((k, v) -> result.put(String.valueOf(k), v));
    return result;
  }

  static Optional<String> closest(String key, Collection<String> candidates) {
    return candidates.stream()
        .map(c -> Map.entry(c, distance(key.toLowerCase(), c.toLowerCase())))
        .filter(e -> e.getValue() <= Math.max(2, e.getKey().length() / 3))
        .min(Comparator.comparingInt(Map.Entry::getValue))
        .map(Map.Entry::getKey);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String show(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map || value instanceof List) {
      return value.toString();
    }
    return String.valueOf(value);
  }

  static List<String> keys(Map<String, ?> map) {
    return new ArrayList<>(map.keySet());
  }

  static String joined(Collection<String> items) {
    return items.stream().collect(Collectors.joining(", "));
  }
}
