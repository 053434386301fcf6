package io.stoke.gateway.connection;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.stoke.gateway.ErrorReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks the framing of a decoded request head the way RFC 9112 asks a server to: the HTTP version,
 * and a {@code Transfer-Encoding} the gateway can frame the body by without doubt. Pure.
 *
 * <p>The server's decoder reads a body as chunked when {@code chunked} appears anywhere in the
 * header and as empty when an unknown coding stands alone, so a request it accepted may still be
 * read differently by the instance behind: such a request is refused, and the connection closed
 * (section 6.1: a request-smuggling ambiguity otherwise).
 */
public final class RequestFraming {

  private RequestFraming() {}

  /** The refusal of {@code request}'s framing, or empty when its body can be framed. */
  public static Optional<ErrorReply> check(HttpRequest request) {
    var version = request.protocolVersion();
    if (!"HTTP".equals(version.protocolName()) || version.majorVersion() != 1) {
      return Optional.of(
          new ErrorReply(
              505,
              "HTTP version " + version.text() + " is not supported: the gateway speaks HTTP/1.1",
              null));
    }
    var headers = request.headers();
    if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return Optional.empty();
    }
    return transferCodings(
        codings(headers.getAll(HttpHeaderNames.TRANSFER_ENCODING)),
        version.equals(HttpVersion.HTTP_1_0),
        headers.contains(HttpHeaderNames.CONTENT_LENGTH));
  }

  private static Optional<ErrorReply> transferCodings(
      List<String> codings, boolean http10, boolean contentLength) {
    String chunked = HttpHeaderValues.CHUNKED.toString();
    long chunkedCount = codings.stream().filter(chunked::equals).count();
    if (codings.isEmpty()) {
      return badRequest("an empty Transfer-Encoding");
    }
    if (http10) {
      return badRequest("Transfer-Encoding in an HTTP/1.0 request");
    }
    if (contentLength) {
      return badRequest("both Transfer-Encoding and Content-Length");
    }
    if (chunkedCount > 0 && (chunkedCount > 1 || !codings.getLast().equals(chunked))) {
      return badRequest("Transfer-Encoding " + codings + ": chunked must be last, and once");
    }
    return codings.stream()
        .filter(coding -> !coding.equals(chunked))
        .findFirst()
        .map(
            unknown ->
                new ErrorReply(
                    501,
                    "transfer coding \""
                        + unknown
                        + "\" is not implemented: the gateway accepts chunked only",
                    null));
  }

  private static Optional<ErrorReply> badRequest(String what) {
    return Optional.of(
        new ErrorReply(400, "malformed HTTP request: " + what + " (RFC 9112 section 6)", null));
  }

  /** The codings of every Transfer-Encoding line, in order, lower-cased, parameters kept. */
  private static List<String> codings(List<String> lines) {
    var codings = new ArrayList<String>();
    for (var line : lines) {
      for (var coding : line.split(",")) {
        var trimmed = coding.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.isEmpty()) {
          codings.add(trimmed);
        }
      }
    }
    return codings;
  }
}
