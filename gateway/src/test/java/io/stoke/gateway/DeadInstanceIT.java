package io.stoke.gateway;

import static io.stoke.gateway.Definitions.function;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * An instance killed behind Docker's userland proxy: the proxy still accepts connections and closes
 * them without a byte of answer. The gateway tries another instance and stops sending it requests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(NoNettyLeaks.class)
class DeadInstanceIT {

  private static final RedisServer REDIS = RedisServer.start();
  private static final UnifiedJedis JEDIS = RedisClient.create(URI.create(REDIS.url()));
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  static {
    new FunctionCatalog(JEDIS)
        .publish(
            new FunctionDefinitions(
                List.of(
                    function("killed", 0, 100, Duration.ofSeconds(10), LoadBalancing.ROUND_ROBIN),
                    function("alone", 0, 100, Duration.ofSeconds(10), LoadBalancing.ROUND_ROBIN))),
            System.currentTimeMillis());
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("stoke.redis-url", REDIS::url);
    registry.add("stoke.api.url", () -> "http://127.0.0.1:9");
    registry.add("management.statsd.metrics.export.enabled", () -> "false");
  }

  @LocalServerPort int port;
  @Autowired FunctionTable table;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TestOrchestrator orchestrator = new TestOrchestrator(JEDIS);

  @AfterAll
  static void stopRedis() {
    JEDIS.close();
    REDIS.close();
  }

  /** Accepts every connection and closes it at once, counting them: a dead container's proxy. */
  private static ServerSocket userlandProxyOfADeadContainer(AtomicInteger accepted)
      throws IOException {
    var socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!socket.isClosed()) {
                try (var connection = socket.accept()) {
                  accepted.incrementAndGet();
                } catch (IOException closed) {
                  // the test is over
                }
              }
            });
    return socket;
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesEveryRequestFromTheLiveInstanceAndTriesTheDeadOneOnlyOnce() throws Exception {
    var accepted = new AtomicInteger();
    var answered = new AtomicInteger();
    try (var dead = userlandProxyOfADeadContainer(accepted);
        var live = RawHttp.instance(OK, answered)) {
      orchestrator.ready("killed", "killed-dead", dead.getLocalPort());
      orchestrator.ready("killed", "killed-live", live.getLocalPort());
      await().until(() -> table.gate("killed").slots().size() == 2);

      for (var method : List.of("GET", "POST", "GET", "DELETE", "POST", "GET", "GET", "POST")) {
        var response = send(method, "/killed/x");

        assertThat(response.statusCode()).as(method).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Stoke-Instance")).hasValue("killed-live");
      }
      assertThat(accepted).as("connections the dead instance's proxy accepted").hasValue(1);
      assertThat(table.gate("killed").slots()).extracting(Slot::id).containsExactly("killed-live");
    }
  }

  @Test
  void answers502WhenTheOnlyInstanceClosesWithoutAnsweringAndKeepsItInRotation() throws Exception {
    var accepted = new AtomicInteger();
    try (var dead = userlandProxyOfADeadContainer(accepted)) {
      orchestrator.ready("alone", "alone-1", dead.getLocalPort());
      await().until(() -> table.gate("alone").slots().size() == 1);

      var response = send("GET", "/alone/x");

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.body()).contains("\"status\":502").contains("without answering");
      assertThat(table.gate("alone").slots()).extracting(Slot::id).containsExactly("alone-1");
    }
  }
}
