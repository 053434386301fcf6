package io.stoke.runtime;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** One HTTP request as a handler sees it: the full path, decoded query, headers and body. */
public final class Request {

  private final String method;
  private final String path;
  private final String rawQuery;
  private final Map<String, List<String>> queryAll;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  /**
   * @param rawQuery the undecoded query string without '?', or null
   * @param headers header names to values; looked up case-insensitively
   */
  public Request(
      String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
    this.method = method;
    this.path = path == null || path.isEmpty() ? "/" : path;
    this.rawQuery = rawQuery == null ? "" : rawQuery;
    this.queryAll = Collections.unmodifiableMap(parseQuery(this.rawQuery));
    TreeMap<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> sorted.put(name, List.copyOf(values)));
    this.headers = Collections.unmodifiableMap(sorted);
    this.body = body.clone();
  }

  public String method() {
    return method;
  }

  /** The full request path as the runtime received it, without the query string. */
  public String path() {
    return path;
  }

  /** The query string as received (not decoded), empty when there is none. */
  public String rawQuery() {
    return rawQuery;
  }

  /** Query parameters with their first value, in request order. */
  public Map<String, String> query() {
    Map<String, String> first = new LinkedHashMap<>();
    queryAll.forEach((name, values) -> first.put(name, values.getFirst()));
    return Collections.unmodifiableMap(first);
  }

  /** The first value of a query parameter. */
  public Optional<String> query(String name) {
    return Optional.ofNullable(queryAll.get(name)).map(List::getFirst);
  }

  /** Query parameters with all their values. */
  public Map<String, List<String>> queryAll() {
    return queryAll;
  }

  /** Headers with all their values; the map's keys compare case-insensitively. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, looked up case-insensitively. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name)).filter(v -> !v.isEmpty()).map(List::getFirst);
  }

  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    if (raw.isEmpty()) {
      return result;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      result.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    result.replaceAll((name, values) -> List.copyOf(values));
    return result;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Request[" + method + " " + path + "]";
  }
}
