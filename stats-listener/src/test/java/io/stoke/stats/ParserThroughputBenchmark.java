package io.stoke.stats;

import io.stoke.stats.ingest.IngestCounters;
import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.ingest.IngestSettings;
import io.stoke.stats.ingest.StatsIngest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Lines per second through parse + map + aggregate on one thread, from pre-built datagrams shaped
 * like a real Envoy and gateway flush. Prints figures; asserts nothing. Run with:
 *
 * <pre>
 * ./mvnw -q -pl stats-listener test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp stats-listener/target/test-classes:stats-listener/target/classes:$(cat \
 *     stats-listener/target/cp.txt) io.stoke.stats.ParserThroughputBenchmark
 * </pre>
 */
public final class ParserThroughputBenchmark {

  private static final int FUNCTIONS = 200;

  public static void main(String[] args) {
    List<byte[]> datagrams = datagrams();
    long lines = 0;
    for (byte[] datagram : datagrams) {
      lines +=
          datagram.length == 0
              ? 0
              : new String(datagram, StandardCharsets.UTF_8).split("\n").length;
    }
    System.out.printf("%d datagrams, %d lines per pass%n", datagrams.size(), lines);
    run(datagrams, Duration.ofSeconds(3), "warm-up");
    run(datagrams, Duration.ofSeconds(5), "measured");
  }

  private static void run(List<byte[]> datagrams, Duration duration, String label) {
    var counters = new IngestCounters();
    // No rate bound here: this measures the parsing and aggregation cost only.
    var settings =
        new IngestSettings(
            65_507,
            4096,
            1000,
            10_000,
            1024,
            100_000_000,
            100_000_000,
            Duration.ofSeconds(1),
            Duration.ofMillis(250),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60));
    long now = 1_700_000_000_000L;
    var ingest = new StatsIngest(settings, counters, now);
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    int i = 0;
    while (System.nanoTime() < deadline) {
      for (int batch = 0; batch < 256; batch++, i++) {
        byte[] datagram = datagrams.get(i % datagrams.size());
        now += i % 64 == 0 ? 1 : 0;
        ingest.accept(
            i % 2 == 0 ? "10.0.0.1:40000" : "10.0.0.2:40000", datagram, datagram.length, now);
        ingest.tick(now);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long lines = counters.get(Counter.LINES);
    System.out.printf(
        "%s: %.0f lines/s (%d lines in %.1f s; %d mapped, %d malformed, %d unmapped)%n",
        label,
        lines / seconds,
        lines,
        seconds,
        counters.get(Counter.METRICS),
        counters.get(Counter.MALFORMED),
        counters.get(Counter.UNMAPPED));
  }

  /** One Envoy plain-statsd flush per function, gateway DogStatsD lines, and timer samples. */
  private static List<byte[]> datagrams() {
    var random = new SplittableRandom(42);
    List<byte[]> datagrams = new ArrayList<>();
    for (int f = 0; f < FUNCTIONS; f++) {
      String cluster = "envoy.cluster.fn_function-" + f + ".";
      datagrams.add(bytes(cluster + "upstream_rq_pending_active:" + random.nextInt(5) + "|g"));
      datagrams.add(bytes(cluster + "upstream_rq_active:" + random.nextInt(50) + "|g"));
      datagrams.add(bytes(cluster + "upstream_cx_active:" + random.nextInt(50) + "|g"));
      datagrams.add(bytes(cluster + "upstream_rq_total:" + random.nextInt(500) + "|c"));
      datagrams.add(bytes(cluster + "upstream_rq_time:" + random.nextInt(300) + "|ms"));
      datagrams.add(bytes(cluster + "upstream_rq_time:" + random.nextInt(300) + "|ms|@0.5"));
      datagrams.add(
          bytes(
              "stoke.gateway.inflight:"
                  + random.nextInt(50)
                  + "|g|#statistic:value,function:function-"
                  + f
                  + "\nstoke.gateway.pending:0|g|#statistic:value,function:function-"
                  + f
                  + "\nstoke.gateway.requests:3|c|#statistic:count,function:function-"
                  + f
                  + ",status:200\nstoke.gateway.latency:12|ms|#function:function-"
                  + f));
    }
    datagrams.add(bytes("envoy.server.memory_allocated:123456|g"));
    datagrams.add(bytes("envoy.cluster.xds_cluster.upstream_rq_active:1|g"));
    return datagrams;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
