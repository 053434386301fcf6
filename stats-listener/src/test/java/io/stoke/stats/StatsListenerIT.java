package io.stoke.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.RedisKeys;
import io.stoke.common.testing.ManagementEndpoints;
import io.stoke.common.testing.RedisServer;
import io.stoke.stats.ingest.IngestCounters;
import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.server.UdpReceiver;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XReadParams;

/** The packaged application against a real redis-server, fed real UDP datagrams. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "stoke.stats.port=0",
      "stoke.stats.bind=127.0.0.1",
      "stoke.stats.gateway-port=0",
      "stoke.stats.window=200ms",
      "stoke.stats.debounce=1s",
      "stoke.stats.load-ttl=5s",
      "stoke.stats.limits.lines-per-second-per-source=200",
      "stoke.stats.limits.burst-lines=400",
      "stoke.metrics-token=" + StatsListenerIT.METRICS_TOKEN,
      // micrometer-registry-statsd is on the test classpath for MicrometerFlavorsTest only.
      "management.statsd.metrics.export.enabled=false"
    })
class StatsListenerIT {

  static final String METRICS_TOKEN = "stats-metrics-token";
  private static final RedisServer REDIS = RedisServer.start();
  private static final UnifiedJedis JEDIS = RedisClient.create(URI.create(REDIS.url()));

  @Autowired UdpReceiver receiver;
  @Autowired IngestCounters counters;
  @LocalServerPort int httpPort;

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry registry) {
    registry.add("stoke.redis-url", REDIS::url);
  }

  @AfterAll
  static void stopRedis() {
    JEDIS.close();
    REDIS.close();
  }

  @Test
  void writesTheLoadOfAQueueingFunctionAndOneDebouncedScaleSignal() throws IOException {
    try (var envoy = new DatagramSocket();
        var gateway = new DatagramSocket()) {
      for (int i = 0; i < 20; i++) {
        send(
            envoy,
            "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g\n"
                + "envoy.cluster.fn_hello.upstream_rq_active:2|g\n"
                + "envoy.cluster.xds_cluster.upstream_rq_active:9|g");
        send(
            gateway,
            "stoke.gateway.inflight:5|g|#statistic:value,function:hello\n"
                + "stoke.gateway.requests:1|c|#statistic:count,function:hello,status:200");
      }

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(JEDIS.hgetAll(RedisKeys.load("hello")))
                      .containsEntry("pending", "3")
                      .containsEntry("inflight", "5")
                      .containsKeys("rps", "overflow", "at"));
      assertThat(JEDIS.pttl(RedisKeys.load("hello"))).isBetween(1L, 5_000L);

      var entries =
          JEDIS.xread(
              XReadParams.xReadParams(), Map.of(RedisKeys.SCALE_STREAM, new StreamEntryID()));
      var hello =
          entries.getFirst().getValue().stream()
              .filter(e -> e.getFields().get("function").equals("hello"))
              .toList();
      assertThat(hello).as("20 queueing datagrams, one debounce period").hasSize(1);
      assertThat(hello.getFirst().getFields())
          .containsEntry("pending", "3")
          .as("signalled on the first queueing datagram, before the gateway's inflight arrived")
          .containsKeys("inflight", "at");
      assertThat(JEDIS.exists(RedisKeys.load("xds-cluster"))).isFalse();
    }
  }

  @Test
  void boundsAFloodingSourceWhileAnotherStillGetsThrough() throws Exception {
    long limitedBefore = counters.get(Counter.RATE_LIMITED_LINES);
    try (var flood = new DatagramSocket();
        var envoy = new DatagramSocket()) {
      for (int i = 0; i < 3_000; i++) {
        send(flood, "stoke.gateway.inflight:1|g|#function:flood");
      }
      send(envoy, "envoy.cluster.fn_calm.upstream_rq_pending_active:2|g");

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(JEDIS.hget(RedisKeys.load("calm"), "pending")).isEqualTo("2");
                assertThat(counters.get(Counter.RATE_LIMITED_LINES) - limitedBefore)
                    .isGreaterThan(2_000);
              });
    }
    String stats =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/_/stats"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(stats).contains("\"rate_limited_lines\"").contains("\"running\":true");
  }

  @Test
  void servesPrometheusOnlyToTheHolderOfTheMetricsToken() throws Exception {
    ManagementEndpoints.assertPrometheusBehindToken(httpPort, METRICS_TOKEN);
  }

  private void send(DatagramSocket socket, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.send(
        new DatagramPacket(
            bytes, bytes.length, InetAddress.getLoopbackAddress(), receiver.localPort()));
  }
}
