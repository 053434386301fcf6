package io.stoke.stats.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.stats.ingest.IngestCounters.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Feeds a million random datagrams (random bytes, near-valid lines, absurd numbers, unicode, an
 * unbounded supply of names, functions and sources) through the whole ingest path without the
 * network: it never throws and never holds more than its bounds.
 */
class IngestFuzzTest {

  private static final long SEED = 0x570CEL;
  private static final int DATAGRAMS = 1_000_000;

  private static final String[] TEMPLATES = {
    "envoy.cluster.fn_%f.upstream_rq_pending_active:%n|g",
    "envoy.cluster.fn_%f.upstream_rq_active:%n|g",
    "envoy.cluster.fn_%f.upstream_rq_pending_overflow:%n|c",
    "envoy.cluster.fn_%f.circuit_breakers.default.rq_pending_open:%n|g",
    "envoy.cluster.fn_%f.upstream_rq_time:%n|ms|@%r",
    "envoy.cluster.upstream_rq_pending_active:%n|g|#envoy.cluster_name:fn_%f",
    "stoke.gateway.pending:%n|g|#statistic:value,function:%f",
    "stoke.gateway.requests:%n|c|@%r|#function:%f,status:200",
    "stokeGatewayInflight.function.%f.statistic.value:%n|g",
    "stoke_gateway_pending,statistic=value,function=%f:%n|g",
    "stoke.gateway.inflight#statistic=value,function=%f:%n|g",
    "random.%f.metric.%n:%n|c",
  };
  private static final String[] NUMBERS = {
    "0",
    "1",
    "3",
    "-7",
    "1e308",
    "1e309",
    "NaN",
    "Infinity",
    "-0",
    "1.5e-300",
    "99999999999999999999999999",
    "0.000001",
    "",
    "+1",
    "1..2",
    "١٢",
    "0x1p3"
  };
  private static final String[] NOISE = {
    ":", "|", "#", ",", "=", "@", "\u00e9", "\ud83d\ude00", "\u0000", "\r"
  };

  @Test
  void neverThrowsAndStaysInsideItsBoundsWhateverItIsSent() {
    var settings =
        new IngestSettings(
            4096,
            256,
            50,
            200,
            64,
            20_000,
            40_000,
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofSeconds(2),
            Duration.ofSeconds(1));
    var counters = new IngestCounters();
    long now = 1_700_000_000_000L;
    var ingest = new StatsIngest(settings, counters, now);
    var random = new SplittableRandom(SEED);
    byte[] buffer = new byte[8192];

    for (int i = 0; i < DATAGRAMS; i++) {
      now += random.nextInt(3);
      String source = "10.0." + random.nextInt(4) + "." + random.nextInt(100) + ":" + 8000;
      int length = datagram(random, buffer);
      ingest.accept(source, buffer, length, now);
      if (i % 64 == 0) {
        ingest.tick(now);
        assertThat(ingest.functionCount()).isLessThanOrEqualTo(settings.maxFunctions());
        assertThat(ingest.seriesCount()).isLessThanOrEqualTo(settings.maxSeries());
        assertThat(ingest.sourceCount()).isLessThanOrEqualTo(settings.maxSources());
      }
    }

    assertThat(counters.get(Counter.DATAGRAMS)).isEqualTo(DATAGRAMS);
    assertThat(counters.get(Counter.METRICS)).as("some lines made it").isPositive();
    assertThat(counters.get(Counter.MALFORMED)).isPositive();
    assertThat(counters.get(Counter.DROPPED_FUNCTIONS)).isPositive();
    assertThat(counters.get(Counter.REFUSED_SOURCE_LINES)).isPositive();
  }

  private static int datagram(SplittableRandom random, byte[] buffer) {
    int kind = random.nextInt(10);
    if (kind == 0) {
      int length = random.nextInt(random.nextInt(50) == 0 ? buffer.length : 300);
      for (int i = 0; i < length; i++) {
        buffer[i] = (byte) random.nextInt(256);
      }
      return length;
    }
    var text = new StringBuilder();
    int lines = 1 + random.nextInt(kind == 1 ? 40 : 4);
    for (int l = 0; l < lines; l++) {
      if (l > 0) {
        text.append('\n');
      }
      text.append(line(random));
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    int length = Math.min(bytes.length, buffer.length);
    System.arraycopy(bytes, 0, buffer, 0, length);
    return length;
  }

  private static String line(SplittableRandom random) {
    String function =
        random.nextInt(4) == 0 ? "f" + random.nextInt(1_000_000) : "f" + random.nextInt(20);
    var line =
        new StringBuilder(
            TEMPLATES[random.nextInt(TEMPLATES.length)]
                .replace("%f", function)
                .replace("%n", NUMBERS[random.nextInt(NUMBERS.length)])
                .replace(
                    "%r", random.nextBoolean() ? "0.5" : NUMBERS[random.nextInt(NUMBERS.length)]));
    int mutations = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
    for (int m = 0; m < mutations && !line.isEmpty(); m++) {
      int at = random.nextInt(line.length());
      switch (random.nextInt(3)) {
        case 0 -> line.deleteCharAt(at);
        case 1 -> line.insert(at, NOISE[random.nextInt(NOISE.length)]);
        default -> line.insert(at, "x".repeat(random.nextInt(400)));
      }
    }
    return line.toString();
  }
}
