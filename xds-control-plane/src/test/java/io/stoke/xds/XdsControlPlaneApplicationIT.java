package io.stoke.xds;

import static io.stoke.xds.Fixtures.function;
import static io.stoke.xds.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.controlplane.cache.Resources;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.RedisClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The packaged application against a real redis-server: ADS on a free port, JSON on HTTP. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"stoke.xds.port=0", "stoke.xds.debounce=20ms"})
class XdsControlPlaneApplicationIT {

  private static final RedisServer REDIS = RedisServer.start();
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry registry) {
    registry.add("stoke.redis-url", REDIS::url);
  }

  @AfterAll
  static void stopRedis() {
    HTTP.close();
    REDIS.close();
  }

  @LocalServerPort int httpPort;

  @org.springframework.beans.factory.annotation.Autowired AdsServer adsServer;

  private JsonNode xds() throws Exception {
    var response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/_/xds")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return MAPPER.readTree(response.body());
  }

  @Test
  void servesAdsOnLoopbackOnlyByDefault() {
    assertThat(adsServer.boundAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(adsServer.boundAddress().getPort()).isEqualTo(adsServer.port());
  }

  @Test
  void followsTheRegistryAndShowsResourcesVersionsAndNacksAtTheJsonEndpoint() throws Exception {
    try (var redis = RedisClient.create(REDIS.url())) {
      new FunctionCatalog(redis)
          .publish(new FunctionDefinitions(List.of(function("echo"))), System.currentTimeMillis());
      var registry = new InstanceRegistry(redis);
      var echo = instance("e1", "echo", 30001, InstanceState.READY);
      registry.put(echo);
      registry.publish(InstanceEvent.of(InstanceEvent.Type.READY, echo, 1));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> xds().path("endpoints").toString().contains("30001"));

      var state = xds();
      assertThat(state.path("clusters").get(0).path("name").asString()).isEqualTo("fn_echo");
      assertThat(state.path("listeners").toString()).contains("stoke_http", "stoke-grpc");
      assertThat(state.path("routes").get(0).path("name").asString()).isEqualTo("stoke_routes");
      assertThat(state.path("versions").path("endpoints").asString()).isNotEmpty();
      assertThat(state.path("ads").path("port").asInt()).isEqualTo(adsServer.port());
      assertThat(state.path("ads").path("nacks").asLong()).isZero();

      try (var stream = new AdsStream(adsServer.port(), "envoy-json")) {
        stream.subscribe(Resources.V3.CLUSTER_TYPE_URL, List.of());
        var cds = stream.next(Duration.ofSeconds(5));
        stream.nack(cds, "", List.of(), "bad cluster");
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> xds().path("ads").path("nacks").asLong() == 1);
        assertThat(xds().path("ads").path("lastNack").path("error").asString())
            .isEqualTo("bad cluster");
      }
    }
  }
}
