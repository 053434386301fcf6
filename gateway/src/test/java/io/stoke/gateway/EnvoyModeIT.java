package io.stoke.gateway;

import static io.stoke.gateway.Definitions.function;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.testing.RedisServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Envoy mode: the gateway still holds cold requests, then forwards the full path to Envoy's
 * listener, which routes by prefix. No Envoy binary runs here, so a real HTTP server on loopback
 * stands where Envoy's listener would be and records what reaches it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EnvoyModeIT {

  private static final RedisServer REDIS = RedisServer.start();
  private static final UnifiedJedis JEDIS = RedisClient.create(URI.create(REDIS.url()));
  private static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
  private static final HttpServer LISTENER = listener();

  static {
    new FunctionCatalog(JEDIS)
        .publish(
            new FunctionDefinitions(List.of(function("echo", 0, 100))), System.currentTimeMillis());
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("stoke.redis-url", REDIS::url);
    registry.add("stoke.gateway.mode", () -> "envoy");
    registry.add(
        "stoke.gateway.envoy-url", () -> "http://127.0.0.1:" + LISTENER.getAddress().getPort());
    registry.add("management.statsd.metrics.export.enabled", () -> "false");
  }

  @LocalServerPort int port;
  @Autowired FunctionTable table;

  private static HttpServer listener() {
    try {
      var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/",
          exchange -> {
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            RECEIVED.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
            var answer = "routed by envoy".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
          });
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() {
    LISTENER.stop(0);
    JEDIS.close();
    REDIS.close();
  }

  @Test
  void holdsWhileColdUntilEnvoyRoutesTheNewInstanceThenForwardsTheFullPathToIt() throws Exception {
    var client = HttpClient.newHttpClient();
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo/a/b?x=1"))
            .POST(HttpRequest.BodyPublishers.ofString("payload"))
            .build();
    var call = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> JEDIS.xlen(io.stoke.common.contract.RedisKeys.DEMAND_STREAM) > 0);
    assertThat(call).isNotDone();
    var orchestrator = new TestOrchestrator(JEDIS);
    orchestrator.ready("echo", "envoy-side", 1);

    // READY alone is not enough: Envoy may not have the endpoint yet and would answer "no healthy
    // upstream". The gateway handles events in order, so once it has seen a later one (a new
    // function) it has handled READY: the instance takes no request and the call stays held.
    new FunctionCatalog(JEDIS)
        .publish(
            new FunctionDefinitions(List.of(function("echo", 0, 100), function("marker", 0, 100))),
            System.currentTimeMillis());
    await().atMost(Duration.ofSeconds(10)).until(() -> table.gate("marker") != null);
    assertThat(table.gate("echo").slots()).isEmpty();
    assertThat(call).isNotDone();
    assertThat(RECEIVED).isEmpty();

    // Envoy acknowledged the endpoint: the call goes.
    orchestrator.routed("echo", "envoy-side");

    var response = call.get();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("routed by envoy");
    assertThat(response.headers().firstValue("X-Stoke-Cold-Start")).contains("true");
    assertThat(RECEIVED).containsExactly("POST /echo/a/b?x=1 payload");
  }
}
