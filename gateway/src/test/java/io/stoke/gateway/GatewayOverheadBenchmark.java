package io.stoke.gateway;

import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.SpringApplication;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import redis.clients.jedis.RedisClient;

/**
 * Measures what the gateway adds to a warm request: runs {@code hey} against a backend directly and
 * through the gateway (direct mode) at c=1 and c=32 and prints p50/p99 latency and throughput.
 * Prints figures, asserts nothing.
 *
 * <p>Run from the repository root: {@code ./mvnw -q -pl gateway test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.stoke.gateway.GatewayOverheadBenchmark} (add
 * {@code -Dexec.args="python 10"} for the Python runtime's hello as the backend and 10 s runs;
 * further arguments are passed to the gateway as Spring arguments).
 */
public final class GatewayOverheadBenchmark {

  private static final Pattern P50 = Pattern.compile("50%+ in ([0-9.]+) secs");
  private static final Pattern P99 = Pattern.compile("99%+ in ([0-9.]+) secs");
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  private GatewayOverheadBenchmark() {}

  record Result(double p50Ms, double p99Ms, double rps) {}

  public static void main(String[] args) throws Exception {
    boolean python = args.length > 0 && args[0].equals("python");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    try (var redis = RedisServer.start();
        var jedis = RedisClient.create(URI.create(redis.url()));
        var statsd = drainingStatsdSink()) {
      FunctionProcess pythonBackend = null;
      DisposableServer nettyBackend = null;
      int backendPort;
      if (python) {
        pythonBackend =
            FunctionProcess.start(Path.of("../functions/hello"), "handler.py", "bench", "bench-1");
        backendPort = pythonBackend.port();
      } else {
        nettyBackend = nettyHello();
        backendPort = nettyBackend.port();
      }
      new FunctionCatalog(jedis)
          .publish(
              new FunctionDefinitions(
                  List.of(
                      Definitions.function(
                          "bench", 0, 1000, Duration.ofSeconds(30), LoadBalancing.ROUND_ROBIN))),
              System.currentTimeMillis());
      new TestOrchestrator(jedis).ready("bench", "bench-1", backendPort);
      int gatewayPort = RedisServer.freePort();
      var springArgs =
          new ArrayList<>(
              List.of(
                  "--server.port=" + gatewayPort,
                  "--stoke.redis-url=" + redis.url(),
                  "--management.statsd.metrics.export.port=" + statsd.getLocalPort(),
                  "--logging.level.root=WARN"));
      springArgs.addAll(List.of(args).subList(Math.min(2, args.length), args.length));
      var context =
          SpringApplication.run(GatewayApplication.class, springArgs.toArray(String[]::new));
      try {
        String direct = "http://127.0.0.1:" + backendPort + "/";
        String gateway = "http://127.0.0.1:" + gatewayPort + "/bench/";
        if (seconds == 0) {
          System.out.println("serving: direct " + direct + " gateway " + gateway);
          Thread.sleep(Long.MAX_VALUE);
        }
        hey(gateway, 8, 3); // warm up JIT and connection pools
        hey(direct, 8, 1);
        System.out.printf(
            Locale.ROOT,
            "%nbackend: %s, %d s per run%n",
            python ? "python runtime hello" : "reactor-netty hello",
            seconds);
        System.out.printf(
            Locale.ROOT,
            "%-6s %12s %12s %12s %12s %12s %12s %10s %10s %8s%n",
            "conc",
            "direct p50",
            "gw p50",
            "direct p99",
            "gw p99",
            "direct rps",
            "gw rps",
            "+p50 ms",
            "+p99 ms",
            "ratio");
        for (int concurrency : new int[] {1, 32}) {
          var d = hey(direct, concurrency, seconds);
          var g = hey(gateway, concurrency, seconds);
          System.out.printf(
              Locale.ROOT,
              "c=%-4d %12.3f %12.3f %12.3f %12.3f %12.0f %12.0f %10.3f %10.3f %8.2f%n",
              concurrency,
              d.p50Ms,
              g.p50Ms,
              d.p99Ms,
              g.p99Ms,
              d.rps,
              g.rps,
              g.p50Ms - d.p50Ms,
              g.p99Ms - d.p99Ms,
              g.rps / d.rps);
        }
      } finally {
        context.close();
        if (pythonBackend != null) {
          pythonBackend.close();
        }
        if (nettyBackend != null) {
          nettyBackend.disposeNow();
        }
      }
    }
  }

  /** A StatsD port that swallows every datagram, as a listener would. */
  private static java.net.DatagramSocket drainingStatsdSink() throws IOException {
    var socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              var packet = new java.net.DatagramPacket(new byte[65_536], 65_536);
              while (!socket.isClosed()) {
                try {
                  socket.receive(packet);
                } catch (IOException closed) {
                  return;
                }
              }
            });
    return socket;
  }

  private static DisposableServer nettyHello() {
    byte[] body = "{\"Hello\":\"World\"}".getBytes(StandardCharsets.UTF_8);
    return HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .route(
            routes ->
                routes.route(
                    request -> true,
                    (request, response) ->
                        response
                            .header("Content-Type", "application/json")
                            .header("Content-Length", Integer.toString(body.length))
                            .sendByteArray(Mono.just(body))))
        .bindNow();
  }

  private static Result hey(String url, int concurrency, int seconds)
      throws IOException, InterruptedException {
    var command =
        new ArrayList<>(
            List.of("hey", "-z", seconds + "s", "-c", Integer.toString(concurrency), url));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return new Result(millis(P50, output), millis(P99, output), number(RPS, output));
  }

  private static double millis(Pattern pattern, String output) {
    return number(pattern, output) * 1000;
  }

  private static double number(Pattern pattern, String output) {
    var matcher = pattern.matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("unexpected hey output:\n" + output);
    }
    return Double.parseDouble(matcher.group(1));
  }
}
