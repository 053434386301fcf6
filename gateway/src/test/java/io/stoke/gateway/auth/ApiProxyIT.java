package io.stoke.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.stoke.common.testing.RedisServer;
import io.stoke.gateway.GatewayApplication;
import io.stoke.gateway.KeptAlive;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The management API through the gateway, against a live upstream (a plain JDK HTTP server). */
class ApiProxyIT {

  /**
   * The api-server's answers arrive on the API client connection's loop. Written from there, they
   * left the caller's connection unread now and then, and a later request on it got no answer.
   */
  @Test
  void answersEveryRequestOnAKeptAliveConnectionBetweenProxiedApiAnswers() throws Exception {
    var api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    api.setExecutor(Executors.newFixedThreadPool(2));
    api.createContext(
        "/",
        exchange -> {
          byte[] body = "{\"openapi\":\"3.1.0\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (var out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    api.start();
    var redis = RedisServer.start();
    try (var gateway =
        new SpringApplicationBuilder(GatewayApplication.class)
            .run(
                "--server.port=0",
                "--stoke.redis-url=" + redis.url(),
                "--stoke.api.url=http://127.0.0.1:" + api.getAddress().getPort(),
                "--management.statsd.metrics.export.enabled=false",
                "--logging.level.root=WARN")) {
      int port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));

      var statuses =
          KeptAlive.exchange(
              port,
              List.of(
                  "GET /api/v1/openapi.json HTTP/1.1\r\nHost: a\r\n\r\n",
                  "GET /u-alice-greet HTTP/1.1\r\nHost: a\r\n\r\n"),
              6_000);

      assertThat(statuses).containsExactly(Map.entry(200, 3_000), Map.entry(404, 3_000));
    } finally {
      redis.close();
      api.stop(0);
    }
  }
}
