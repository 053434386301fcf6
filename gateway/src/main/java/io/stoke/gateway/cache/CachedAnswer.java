package io.stoke.gateway.cache;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One stored answer of a pure function: its headers and body, and when it stops being valid.
 *
 * @param headers the function's headers as the caller got them, hop-by-hop ones excluded
 */
public record CachedAnswer(List<Map.Entry<String, String>> headers, byte[] body, Instant expires) {

  public CachedAnswer {
    headers = List.copyOf(headers);
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(expires, "expires");
  }

  /** Bytes the answer takes in memory, roughly: body, header characters as UTF-16, objects. */
  long weight() {
    long weight = body.length + 64L;
    for (var header : headers) {
      weight += 2L * (header.getKey().length() + header.getValue().length()) + 48;
    }
    return weight;
  }
}
