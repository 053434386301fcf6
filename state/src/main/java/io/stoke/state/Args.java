package io.stoke.state;

import java.util.Map;

/** The fields of one JSON request body, read with a clear error naming the field. */
public final class Args {

  private final Map<String, Object> fields;

  public Args(Map<String, Object> fields) {
    // A copy that keeps JSON nulls (Map.copyOf rejects them): a null field counts as absent.
    this.fields = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(fields));
  }

  /** A required string field. */
  public String string(String name) {
    if (fields.get(name) instanceof String text) {
      return text;
    }
    throw new BadRequest(name + " is required and must be a string");
  }

  /** An optional string field, {@code fallback} when absent. */
  public String string(String name, String fallback) {
    return fields.containsKey(name) ? string(name) : fallback;
  }

  /** An optional integer field within [min, max], {@code fallback} when absent. */
  public long integer(String name, long fallback, long min, long max) {
    var value = fields.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new BadRequest(name + " must be an integer in [" + min + ", " + max + "]");
    }
    long number = ((Number) value).longValue();
    if (number < min || number > max) {
      throw new BadRequest(name + " = " + number + ", must be in [" + min + ", " + max + "]");
    }
    return number;
  }

  /** Whether the field is present. */
  public boolean has(String name) {
    return fields.get(name) != null;
  }

  /** A required list field. */
  public java.util.List<?> list(String name) {
    if (fields.get(name) instanceof java.util.List<?> list) {
      return list;
    }
    throw new BadRequest(name + " is required and must be an array");
  }

  /** A request whose body breaks a rule: answered with 400 (or the given code) and its message. */
  public static final class BadRequest extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public BadRequest(String message) {
      this(ErrorCode.BadArguments, message, Map.of());
    }

    public BadRequest(ErrorCode code, String message, Map<String, Object> details) {
      super(message);
      this.code = code;
      this.details = Map.copyOf(details);
    }

    public Outcome.Failed outcome() {
      var all = new java.util.LinkedHashMap<String, Object>(details);
      all.put("message", getMessage());
      return new Outcome.Failed(code, all);
    }
  }
}
