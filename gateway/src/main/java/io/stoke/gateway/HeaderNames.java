package io.stoke.gateway;

import io.netty.util.AsciiString;
import java.util.stream.Stream;

/**
 * Sets of header names a proxy hop treats alike, matched ignoring case without copying the name (a
 * per-header check on the request path).
 */
public final class HeaderNames {

  /** Headers that describe one connection and are never forwarded (RFC 9110 section 7.6.1). */
  public static final HeaderNames HOP_BY_HOP =
      new HeaderNames(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host");

  private final AsciiString[] names;

  private HeaderNames(String... names) {
    this.names = Stream.of(names).map(AsciiString::of).toArray(AsciiString[]::new);
  }

  /** These names and {@code more}. */
  public HeaderNames plus(String... more) {
    return new HeaderNames(
        Stream.concat(Stream.of(names).map(AsciiString::toString), Stream.of(more))
            .toArray(String[]::new));
  }

  public boolean contains(CharSequence name) {
    for (var candidate : names) {
      if (candidate.length() == name.length() && candidate.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
