package io.stoke.gateway;

import static io.stoke.gateway.Definitions.function;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.ResultCache;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * The result cache in a real gateway, with a real redis-server and a real HTTP backend that counts
 * the requests reaching it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(NoNettyLeaks.class)
class ResultCacheIT {

  private static final RedisServer REDIS = RedisServer.start();
  private static final UnifiedJedis JEDIS = RedisClient.create(URI.create(REDIS.url()));
  private static final AtomicInteger CALLS = new AtomicInteger();
  private static final HttpServer BACKEND = backend();

  static {
    publish("1");
    var orchestrator = new TestOrchestrator(JEDIS);
    orchestrator.ready("sq", "sq-1", BACKEND.getAddress().getPort());
    orchestrator.ready("plain", "plain-1", BACKEND.getAddress().getPort());
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("stoke.redis-url", REDIS::url);
  }

  @LocalServerPort int port;
  @Autowired FunctionTable table;
  @Autowired PrometheusMeterRegistry meters;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterAll
  static void stop() {
    BACKEND.stop(0);
    JEDIS.close();
    REDIS.close();
  }

  private static void publish(String sqVersion) {
    var base = function("sq", 0, 100);
    var sq =
        new FunctionDefinition(
                base.name(),
                base.runtime(),
                base.source(),
                base.handler(),
                sqVersion,
                FunctionDefinition.templatedImage("sq", sqVersion),
                base.port(),
                base.mode(),
                base.environment(),
                base.timeout(),
                base.resources(),
                base.scaling(),
                base.loadBalancing(),
                base.auth(),
                base.dependencies(),
                base.readinessPath())
            .withCaching(true, new ResultCache(100, Duration.ofMinutes(5)));
    new FunctionCatalog(JEDIS)
        .publish(
            new FunctionDefinitions(List.of(sq, function("plain", 0, 100))),
            System.currentTimeMillis());
  }

  /** Answers {@code call <n>: <path> <body>}; /fail with 500, /nostore marked no-store. */
  private static HttpServer backend() {
    try {
      var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      server.createContext(
          "/",
          exchange -> {
            int n = CALLS.incrementAndGet();
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var path = exchange.getRequestURI().toString();
            var answer = ("call " + n + ": " + path + " " + body).getBytes(StandardCharsets.UTF_8);
            if (path.startsWith("/nostore")) {
              exchange.getResponseHeaders().add("Cache-Control", "no-store");
            }
            if ("HEAD".equals(exchange.getRequestMethod())) {
              exchange.getResponseHeaders().add("Content-Length", Integer.toString(answer.length));
              exchange.sendResponseHeaders(200, -1);
              exchange.close();
              return;
            }
            exchange.sendResponseHeaders(path.startsWith("/fail") ? 500 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
          });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> send(String method, String pathAndQuery, String body) {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitRoutable(String function) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> table.gate(function) != null && !table.gate(function).slots().isEmpty());
  }

  @Test
  void aPureFunctionCalledTwiceReachesTheBackendOnceAndDifferentCallsMiss() {
    awaitRoutable("sq");
    int before = CALLS.get();

    var first = send("POST", "/sq/square?x=1", "4");
    var second = send("POST", "/sq/square?x=1", "4");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("X-Stoke-Cache")).contains("miss");
    assertThat(second.headers().firstValue("X-Stoke-Cache")).contains("hit");
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(CALLS.get()).isEqualTo(before + 1);

    assertThat(send("POST", "/sq/square?x=1", "5").headers().firstValue("X-Stoke-Cache"))
        .contains("miss");
    assertThat(send("POST", "/sq/square?x=2", "4").headers().firstValue("X-Stoke-Cache"))
        .contains("miss");
    assertThat(CALLS.get()).isEqualTo(before + 3);
  }

  @Test
  void aHitTouchesNoInstanceSoItKeepsNoneWarmAndIsCounted() {
    awaitRoutable("sq");
    send("GET", "/sq/warm", "");
    var slot = table.gate("sq").slots().get(0);
    long lastStart = slot.lastStartMs();
    await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > lastStart + 5);
    double hitsBefore = hits();

    assertThat(send("GET", "/sq/warm", "").headers().firstValue("X-Stoke-Cache")).contains("hit");

    assertThat(slot.lastStartMs()).isEqualTo(lastStart);
    assertThat(hits()).isEqualTo(hitsBefore + 1);
  }

  private double hits() {
    var counter = meters.find("stoke.gateway.cache.hits").tag("function", "sq").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aHeadAnswerIsReplayedWithItsHeadersAndNoBody() {
    awaitRoutable("sq");
    var first = send("HEAD", "/sq/head", "");
    var second = send("HEAD", "/sq/head", "");

    assertThat(first.headers().firstValue("Content-Length")).isPresent();
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("X-Stoke-Cache")).contains("hit");
    assertThat(second.headers().firstValue("Content-Length"))
        .isEqualTo(first.headers().firstValue("Content-Length"));
    assertThat(second.body()).isEmpty();
  }

  @Test
  void nonOkAndNoStoreAnswersAreNotStored() {
    awaitRoutable("sq");
    int before = CALLS.get();

    assertThat(send("GET", "/sq/fail", "").statusCode()).isEqualTo(500);
    assertThat(send("GET", "/sq/fail", "").headers().firstValue("X-Stoke-Cache")).contains("miss");
    send("GET", "/sq/nostore", "");
    send("GET", "/sq/nostore", "");

    assertThat(CALLS.get()).isEqualTo(before + 4);
  }

  @Test
  void anImpureFunctionIsNeverCached() {
    awaitRoutable("plain");
    int before = CALLS.get();

    var first = send("GET", "/plain/a", "");
    var second = send("GET", "/plain/a", "");

    assertThat(first.headers().firstValue("X-Stoke-Cache")).isEmpty();
    assertThat(second.body()).isNotEqualTo(first.body());
    assertThat(CALLS.get()).isEqualTo(before + 2);
  }

  @Test
  void aNewVersionOfTheFunctionMisses() {
    awaitRoutable("sq");
    send("GET", "/sq/versioned", "");
    assertThat(send("GET", "/sq/versioned", "").headers().firstValue("X-Stoke-Cache"))
        .contains("hit");

    publish("2");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "2".equals(table.gate("sq").definition().version()));
    awaitRoutable("sq");

    assertThat(send("GET", "/sq/versioned", "").headers().firstValue("X-Stoke-Cache"))
        .contains("miss");
    publish("1");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "1".equals(table.gate("sq").definition().version()));
  }
}
