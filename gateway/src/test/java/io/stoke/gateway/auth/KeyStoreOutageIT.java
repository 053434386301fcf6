package io.stoke.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.gateway.GatewayApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The gateway answers a JSON 503 when it cannot ask Redis about an API key. */
class KeyStoreOutageIT {

  @Test
  void anApiKeyThatCannotBeCheckedGetsA503WithRetryAfterNotA500() throws Exception {
    var redis = RedisServer.start();
    try (var gateway =
        new SpringApplicationBuilder(GatewayApplication.class)
            .run(
                "--server.port=0",
                "--stoke.redis-url=" + redis.url(),
                "--management.statsd.metrics.export.enabled=false",
                "--logging.level.root=WARN")) {
      int port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
      var request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/functions"))
              .header("Authorization", "Bearer stk_0123456789abcdef_" + "s".repeat(43))
              .build();
      var http = HttpClient.newHttpClient();
      var before = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(before.statusCode()).as("an unknown key while Redis answers").isEqualTo(401);

      redis.close();
      var response = http.send(request, HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      assertThat(response.body())
          .contains("\"status\":503")
          .contains("cannot check the API key now");
    } finally {
      redis.close();
    }
  }
}
