package io.stoke.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Checks, over real HTTP, that a service keeps its management endpoints behind the token. */
public final class ManagementEndpoints {

  private ManagementEndpoints() {}

  /**
   * Asserts that the service on {@code port} answers health to anyone, refuses Prometheus and
   * metrics (in every spelling) with a JSON 401 without {@code token}, and serves Prometheus text
   * with it.
   */
  public static void assertPrometheusBehindToken(int port, String token)
      throws IOException, InterruptedException {
    try (var http = HttpClient.newHttpClient()) {
      assertThat(get(http, port, "/actuator/health", null).statusCode()).isEqualTo(200);
      for (String path :
          new String[] {
            "/actuator/prometheus", "/actuator/metrics", "/actuator", "/%61ctuator/prometheus"
          }) {
        for (String authorization : new String[] {null, "Bearer wrong", "Bearer " + token + "x"}) {
          var refused = get(http, port, path, authorization);
          assertThat(refused.statusCode()).as("%s with %s", path, authorization).isEqualTo(401);
          assertThat(refused.body()).as(path).contains("\"status\":401").contains("Bearer");
        }
      }
      var prometheus = get(http, port, "/actuator/prometheus", "Bearer " + token);
      assertThat(prometheus.statusCode()).isEqualTo(200);
      assertThat(prometheus.headers().firstValue("Content-Type"))
          .get()
          .asString()
          .startsWith("text/plain");
      assertThat(prometheus.body()).contains("# TYPE jvm_memory_used_bytes gauge");
    }
  }

  private static HttpResponse<String> get(
      HttpClient http, int port, String path, String authorization)
      throws IOException, InterruptedException {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
