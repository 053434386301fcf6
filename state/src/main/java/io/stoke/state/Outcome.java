package io.stoke.state;

import java.util.Map;

/** The outcome of one state operation: a JSON body, or an error the HTTP layer maps to a status. */
public sealed interface Outcome {

  /** The operation succeeded; {@code body} is its JSON reply. */
  record Ok(Map<String, Object> body) implements Outcome {
    public Ok {
      body = Map.copyOf(body);
    }
  }

  /** The operation failed for {@code code}; {@code details} name the key, path or limit. */
  record Failed(ErrorCode code, Map<String, Object> details) implements Outcome {
    public Failed {
      details = Map.copyOf(details);
    }
  }

  static Failed failed(ErrorCode code, String message) {
    return new Failed(code, Map.of("message", message));
  }
}
