package io.stoke.gateway;

import static io.stoke.gateway.Definitions.function;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.testing.RedisServer;
import java.net.URI;
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
 * Requests whose body framing or HTTP version the gateway refuses (RFC 9112), sent raw to a real
 * gateway: each gets the gateway's JSON error and the connection closes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(NoNettyLeaks.class)
class RequestFramingIT {

  private static final RedisServer REDIS = RedisServer.start();
  private static final UnifiedJedis JEDIS = RedisClient.create(URI.create(REDIS.url()));
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  static {
    new FunctionCatalog(JEDIS)
        .publish(
            new FunctionDefinitions(
                List.of(
                    function("framed", 0, 100, Duration.ofSeconds(2), LoadBalancing.ROUND_ROBIN),
                    // Never gets an instance: its requests are held until their 2-s timeout.
                    function("held", 0, 100, Duration.ofSeconds(2), LoadBalancing.ROUND_ROBIN))),
            System.currentTimeMillis());
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("stoke.redis-url", REDIS::url);
    // No api-server runs here: port 9 (discard) on loopback, where nothing listens.
    registry.add("stoke.api.url", () -> "http://127.0.0.1:9");
    registry.add("management.statsd.metrics.export.enabled", () -> "false");
  }

  @LocalServerPort int port;
  @Autowired FunctionTable table;

  @AfterAll
  static void stopRedis() {
    JEDIS.close();
    REDIS.close();
  }

  private static String chunked(String body) {
    return "POST /held/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
  }

  @Test
  void answersBadChunkFramingWithAJson400AndClosesTheConnection() throws Exception {
    for (var body :
        List.of(
            "zz\r\nhello\r\n0\r\n\r\n",
            "fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
            "5\r\nhelloXX0\r\n\r\n")) {
      var answer = RawHttp.exchange(port, chunked(body));

      RawHttp.assertOneJsonError(answer, 400, "malformed");
    }
  }

  @Test
  void answersAnHttpVersionOtherThanOneWithAJson505() throws Exception {
    for (var version : List.of("HTTP/2.0", "HTTP/3.0")) {
      var answer = RawHttp.exchange(port, "GET /held/x " + version + "\r\nHost: a\r\n\r\n");

      RawHttp.assertOneJsonError(answer, 505, version);
    }
  }

  @Test
  void refusesAnUnknownTransferCodingWith501AndForwardsNothing() throws Exception {
    var heads = new AtomicInteger();
    try (var instance = RawHttp.instance(OK, heads)) {
      new TestOrchestrator(JEDIS).ready("framed", "framed-1", instance.getLocalPort());
      await().until(() -> !table.gate("framed").slots().isEmpty());

      var answer =
          RawHttp.exchange(
              port,
              "POST /framed/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"
                  + "5\r\nhello\r\n0\r\n\r\n"
                  + "GET /framed/smuggled HTTP/1.1\r\nHost: a\r\n\r\n");

      RawHttp.assertOneJsonError(answer, 501, "xchunked");
      assertThat(heads).hasValue(0);
      // A well-framed request still goes through.
      var served =
          RawHttp.exchange(port, "GET /framed/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      assertThat(served).startsWith("HTTP/1.1 200 ");
      assertThat(heads).hasValue(1);
    }
  }

  @Test
  void refusesChunkedNotLastAndTransferEncodingWithContentLengthWith400() throws Exception {
    for (var headers :
        List.of(
            "Transfer-Encoding: chunked, gzip\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n")) {
      var answer =
          RawHttp.exchange(
              port,
              "POST /held/x HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n5\r\nhello\r\n0\r\n\r\n");

      RawHttp.assertOneJsonError(answer, 400, "malformed HTTP request");
    }
  }

  @Test
  void answersARefusedRequestPipelinedBehindAnotherAfterItWithJson() throws Exception {
    var answer =
        RawHttp.exchange(
            port,
            "GET /held/ HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /held/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n");

    int refusal = answer.indexOf("HTTP/1.1 501 ");
    assertThat(refusal).isPositive();
    assertThat(answer.substring(refusal)).contains("\"status\":501").contains("xchunked");
  }
}
