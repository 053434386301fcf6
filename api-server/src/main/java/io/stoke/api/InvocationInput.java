package io.stoke.api;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads an invocation's input: the request body's bytes exactly as sent, whatever its content type.
 * Spring's {@code @RequestBody String} would rebuild a form-encoded body from the parsed parameters
 * ({@code curl -d hello} arrived as {@code hello=}), so the stream is read directly.
 */
final class InvocationInput {

  private InvocationInput() {}

  /** The body as UTF-8 text; 413 beyond {@code maxBytes} (chunked bodies have no length). */
  static String read(HttpServletRequest request, long maxBytes) {
    try (var in = request.getInputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw new ApiException(413, "request body exceeds " + maxBytes + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the invocation input failed", e);
    }
  }
}
