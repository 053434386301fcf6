package io.stoke.state.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client of the state service's TCP API, for tests. */
public final class StateClient {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final HttpClient http;
  private final String base;
  private final Duration timeout;

  public StateClient(int port, Duration timeout) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    this.base = "http://127.0.0.1:" + port;
    this.timeout = timeout;
  }

  public StateClient(int port) {
    this(port, Duration.ofSeconds(30));
  }

  /** One reply: its status and JSON body. */
  public record Reply(int status, Map<String, Object> body) {
    public Object get(String field) {
      return body.get(field);
    }

    public long number(String field) {
      return ((Number) body.get(field)).longValue();
    }

    public String error() {
      return (String) body.get("error");
    }
  }

  /** An answer whose body is not a JSON object: the service broke its contract. */
  public static final class NotJson extends IOException {
    public NotJson(int status, String body) {
      super("status " + status + " with a body that is not JSON: " + body);
    }
  }

  /** POSTs {@code body} to {@code /v1/functions/FN/ROUTE}. */
  public Reply call(String function, String route, Map<String, ?> body) throws IOException {
    return raw("/v1/functions/" + function + "/" + route, JSON.writeValueAsString(body));
  }

  /** POSTs raw text to a raw path. */
  public Reply raw(String path, String body) throws IOException {
    var request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      var response = http.send(request, HttpResponse.BodyHandlers.ofString());
      try {
        return new Reply(response.statusCode(), JSON.readValue(response.body(), MAP));
      } catch (tools.jackson.core.JacksonException e) {
        throw new NotJson(response.statusCode(), response.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
