package io.stoke.gateway;

import static io.stoke.gateway.Definitions.function;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.testing.RedisServer;
import io.stoke.gateway.connection.ConnectionGuard;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Slow and greedy clients against a real gateway over raw loopback sockets: request heads that
 * trickle in are cut off, and one client address cannot hold more than its share of connections.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SlowClientsIT {

  private static final RedisServer REDIS = RedisServer.start();
  private static final UnifiedJedis JEDIS = RedisClient.create(URI.create(REDIS.url()));
  private static final int CAP = 60;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  static {
    new FunctionCatalog(JEDIS)
        .publish(
            new FunctionDefinitions(
                // Never gets an instance: its requests are held (complete heads) until the timeout.
                List.of(
                    function("held", 0, 200, Duration.ofSeconds(120), LoadBalancing.ROUND_ROBIN),
                    function("hog", 0, 200, Duration.ofSeconds(120), LoadBalancing.ROUND_ROBIN))),
            System.currentTimeMillis());
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("stoke.redis-url", REDIS::url);
    registry.add("stoke.api.url", () -> "http://127.0.0.1:9");
    registry.add("stoke.gateway.request-head-timeout", () -> "2s");
    registry.add("stoke.gateway.max-connections-per-client", () -> CAP);
    registry.add("management.statsd.metrics.export.enabled", () -> "false");
  }

  @LocalServerPort int port;
  @Autowired FunctionTable table;
  @Autowired ConnectionGuard guard;

  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicBoolean trickling = new AtomicBoolean(true);

  @BeforeEach
  void noConnectionLeftFromAnotherTest() {
    await().atMost(Duration.ofSeconds(30)).until(() -> guard.open(LOOPBACK) == 0);
  }

  @AfterEach
  void closeSockets() throws IOException {
    trickling.set(false);
    for (var socket : sockets) {
      socket.close();
    }
  }

  @AfterAll
  static void stopRedis() {
    JEDIS.close();
    REDIS.close();
  }

  private Socket connect() throws IOException {
    var socket = new Socket(LOOPBACK, port);
    sockets.add(socket);
    return socket;
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads what the gateway sends until it closes the connection, on a virtual thread. */
  private static void readUntilClosed(Socket socket, ConcurrentHashMap<Socket, String> answers) {
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                var bytes = socket.getInputStream().readAllBytes();
                answers.put(socket, new String(bytes, StandardCharsets.UTF_8));
              } catch (IOException closed) {
                answers.put(socket, "closed: " + closed);
              }
            });
  }

  @Test
  void answers408AndClosesFiftyConnectionsWhoseHeadsTrickleIn() throws Exception {
    var answers = new ConcurrentHashMap<Socket, String>();
    var slow = new ArrayList<Socket>();
    for (int i = 0; i < 50; i++) {
      var socket = connect();
      write(socket.getOutputStream(), "GET /held/ HTTP/1.1\r\nHost: a\r\n");
      readUntilClosed(socket, answers);
      slow.add(socket);
    }
    // One more header line on every connection each 500 ms: the connections are never idle for
    // long, only their heads never end (slowloris).
    Thread.ofVirtual()
        .start(
            () -> {
              for (int line = 0; trickling.get(); line++) {
                for (var socket : slow) {
                  try {
                    write(socket.getOutputStream(), "X-Line-" + line + ": x\r\n");
                  } catch (IOException closedByTheGateway) {
                    // expected once the gateway gave up on the connection
                  }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
              }
            });

    await().atMost(Duration.ofSeconds(60)).until(() -> answers.size() == 50);

    assertThat(answers.values())
        .allSatisfy(answer -> RawHttp.assertOneJsonError(answer, 408, "request head"));
    await().atMost(Duration.ofSeconds(30)).until(() -> guard.open(LOOPBACK) == 0);
  }

  @Test
  void closesAConnectionThatSentNothingWithoutAnAnswer() throws Exception {
    var answers = new ConcurrentHashMap<Socket, String>();
    var silent = connect();
    readUntilClosed(silent, answers);

    await().atMost(Duration.ofSeconds(60)).until(() -> answers.containsKey(silent));

    assertThat(answers.get(silent)).isEmpty();
  }

  @Test
  void closesConnectionsBeyondTheCapOfOneClientAtOnceAndAdmitsAgainOnceSomeClosed()
      throws Exception {
    for (int i = 0; i < CAP; i++) {
      var socket = connect();
      write(socket.getOutputStream(), "GET /hog/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> table.gate("hog").pending() == CAP);

    var answers = new ConcurrentHashMap<Socket, String>();
    var beyond = connect();
    readUntilClosed(beyond, answers);
    await().atMost(Duration.ofSeconds(30)).until(() -> answers.containsKey(beyond));
    assertThat(answers.get(beyond)).doesNotContain("HTTP/1.1");
    assertThat(table.gate("hog").pending()).isEqualTo(CAP);

    // The held calls are served, their connections closed: the client may connect again.
    try (var instance = RawHttp.instance(OK, new AtomicInteger())) {
      new TestOrchestrator(JEDIS).ready("hog", "hog-1", instance.getLocalPort());
      await().atMost(Duration.ofSeconds(30)).until(() -> guard.open(LOOPBACK) == 0);
    }
    var admitted =
        RawHttp.exchange(
            port, "GET /no-such-function/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assertThat(admitted).startsWith("HTTP/1.1 404 ");
  }
}
