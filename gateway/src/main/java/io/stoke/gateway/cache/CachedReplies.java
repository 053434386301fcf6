package io.stoke.gateway.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** Turns answers into stored headers and back into replies the caller cannot tell apart. */
public final class CachedReplies {

  /** Tells the caller whether the answer came from the result cache ({@code hit}) or not. */
  public static final String HEADER = "X-Stoke-Cache";

  /** Headers that describe one forward (instance, hold, cold start), not the answer itself. */
  private static final Set<String> PER_CALL =
      Set.of("x-stoke-cold-start", "x-stoke-queue-ms", "x-stoke-instance", "x-stoke-cache");

  private CachedReplies() {}

  /**
   * The headers of an answer worth storing: all but the per-call ones, and Content-Length (set
   * again from the stored body) except for HEAD, whose answer has no body to count.
   */
  public static List<Map.Entry<String, String>> storable(HttpHeaders headers, boolean head) {
    var kept = new ArrayList<Map.Entry<String, String>>();
    for (var header : headers) {
      var name = header.getKey();
      var lower = name.toLowerCase(java.util.Locale.ROOT);
      boolean length = lower.equals(HttpHeaderNames.CONTENT_LENGTH.toString());
      if (!PER_CALL.contains(lower) && (head || !length)) {
        kept.add(Map.entry(name, header.getValue()));
      }
    }
    return kept;
  }

  /** Writes a stored answer as the reply to a call, marked {@code X-Stoke-Cache: hit}. */
  public static Mono<Void> write(
      HttpServerResponse response, HttpMethod method, CachedAnswer answer) {
    response.status(HttpResponseStatus.OK);
    var headers = response.responseHeaders();
    answer.headers().forEach(header -> headers.add(header.getKey(), header.getValue()));
    headers.set(HEADER, "hit");
    if (HttpMethod.HEAD.equals(method)) {
      return response.send().then();
    }
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
    return response.sendByteArray(Mono.just(answer.body())).then();
  }
}
