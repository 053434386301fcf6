package io.stoke.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.RedisKeys;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * A flood of junk at the public StatsD port, more than one reader thread can take, must not cost
 * the gateway its load reports. The receive buffers are the smallest allowed, so the public one
 * overflows at once.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "stoke.stats.port=0",
      "stoke.stats.bind=127.0.0.1",
      "stoke.stats.gateway-port=0",
      "stoke.stats.receive-buffer-bytes=65536",
      "stoke.stats.window=200ms",
      "stoke.stats.load-ttl=5s",
      "stoke.metrics-token=" + GatewayReportsUnderFloodIT.TOKEN,
      // micrometer-registry-statsd is on the test classpath for MicrometerFlavorsTest only.
      "management.statsd.metrics.export.enabled=false"
    })
class GatewayReportsUnderFloodIT {

  static final String TOKEN = "flood-metrics-token";
  private static final int FLOODERS = 3;
  private static final int REPORTS = 50;
  // One of the gateway's datagrams: a gauge and a counter of one function, DogStatsD tags.
  private static final String REPORT =
      "stoke.gateway.inflight:7|g|#statistic:value,function:busy\n"
          + "stoke.gateway.requests:1|c|#statistic:count,function:busy,status:200";
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
  void theGatewaysReportsAllArriveAndMoveTheLoadWhileJunkFloodsThePublicPort() throws Exception {
    var flooding = new AtomicBoolean(true);
    var flooders = new ArrayList<Thread>();
    for (int i = 0; i < FLOODERS; i++) {
      flooders.add(Thread.ofPlatform().daemon().start(() -> flood(flooding)));
    }
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .alias("the flood overflows the public socket: the kernel drops there")
          .until(() -> gauge("stoke_stats_udp_drops{socket=\"statsd\"}") > 0);
      long metricsBefore = counters.get(Counter.METRICS);

      try (var gateway = new DatagramSocket()) {
        for (int i = 0; i < REPORTS; i++) {
          send(gateway, receiver.gatewayPort(), REPORT);
        }
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(counters.get(Counter.METRICS) - metricsBefore)
                    .as("every line of every report ingested")
                    .isEqualTo(2L * REPORTS);
                assertThat(JEDIS.hget(RedisKeys.load("busy"), "inflight")).isEqualTo("7");
              });
      assertThat(flooders).allMatch(Thread::isAlive);
      assertThat(gauge("stoke_stats_udp_drops{socket=\"gateway\"}")).isZero();
      assertThat(gauge("stoke_stats_udp_drops{socket=\"statsd\"}")).isPositive();
    } finally {
      flooding.set(false);
      for (Thread flooder : flooders) {
        flooder.join();
      }
    }
  }

  /** Sends junk as fast as one socket can until told to stop. */
  private void flood(AtomicBoolean flooding) {
    byte[] junk = "x".repeat(99).concat("\n").repeat(12).getBytes(StandardCharsets.UTF_8);
    try (var socket = new DatagramSocket()) {
      var packet =
          new DatagramPacket(
              junk, junk.length, InetAddress.getLoopbackAddress(), receiver.localPort());
      while (flooding.get()) {
        socket.send(packet);
      }
    } catch (IOException e) {
      throw new IllegalStateException("the flood could not be sent", e);
    }
  }

  private static void send(DatagramSocket socket, int port, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
  }

  /** The value of one series on the listener's Prometheus page. */
  private double gauge(String series) throws IOException, InterruptedException {
    try (var http = HttpClient.newHttpClient()) {
      var page =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      List<String> lines = page.body().lines().filter(l -> l.startsWith(series + " ")).toList();
      assertThat(lines).as(series).hasSize(1);
      return Double.parseDouble(lines.getFirst().substring(series.length() + 1));
    }
  }
}
