package io.stoke.stats.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.stats.ingest.IngestCounters.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatsIngestTest {

  private static final long T0 = 1_700_000_000_000L;

  private final IngestCounters counters = new IngestCounters();

  private static IngestSettings settings(int linesPerSecond, int burst, int maxSources) {
    return new IngestSettings(
        1024,
        128,
        1000,
        10_000,
        maxSources,
        linesPerSecond,
        burst,
        Duration.ofSeconds(1),
        Duration.ofMillis(250),
        Duration.ofSeconds(10),
        Duration.ofSeconds(60));
  }

  private static void send(StatsIngest ingest, String source, String text, long at) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ingest.accept(source, bytes, bytes.length, at);
  }

  @Test
  void sendersAtThePublicPortCannotTakeTheRoomOfTheGatewaysSources() {
    var ingest = new StatsIngest(settings(1000, 1000, 2), counters, T0);
    send(ingest, "10.0.0.1:1", "junk", T0);
    send(ingest, "10.0.0.2:2", "junk", T0);
    send(ingest, "10.0.0.3:3", "junk", T0);
    assertThat(counters.get(Counter.REFUSED_SOURCE_LINES)).isEqualTo(1);

    byte[] report = "stoke.gateway.inflight:4|g|#function:hello".getBytes(StandardCharsets.UTF_8);
    ingest.accept(Intake.GATEWAY, "127.0.0.1:5000", report, report.length, T0);

    assertThat(counters.get(Counter.REFUSED_SOURCE_LINES)).isEqualTo(1);
    assertThat(counters.get(Counter.METRICS)).isEqualTo(1);
  }

  @Test
  void readsEveryLineOfADatagramAndSkipsEmptyOnes() {
    var ingest = new StatsIngest(settings(1000, 1000, 10), counters, T0);
    send(
        ingest,
        "envoy:1",
        "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g\r\n\n"
            + "envoy.cluster.fn_hello.upstream_rq_active:2|g\nnot statsd\nenvoy.server.x:1|c\n",
        T0);

    assertThat(counters.get(Counter.LINES)).isEqualTo(4);
    assertThat(counters.get(Counter.METRICS)).isEqualTo(2);
    assertThat(counters.get(Counter.MALFORMED)).isEqualTo(1);
    assertThat(counters.get(Counter.UNMAPPED)).isEqualTo(1);
    assertThat(ingest.tick(T0).signals()).containsExactly(new ScaleSignal("hello", 3, 2, T0));
  }

  @Test
  void boundsEachSourcesLineRateWhileOthersStillGetThrough() {
    var ingest = new StatsIngest(settings(100, 200, 10), counters, T0);
    for (int i = 0; i < 1000; i++) {
      send(ingest, "flood:1", "stoke.gateway.inflight:1|g|#function:flood", T0);
    }
    send(ingest, "envoy:1", "envoy.cluster.fn_hello.upstream_rq_pending_active:3|g", T0);

    assertThat(counters.get(Counter.RATE_LIMITED_LINES)).isEqualTo(800);
    assertThat(ingest.tick(T0).signals())
        .extracting(ScaleSignal::function)
        .containsExactly("hello");

    send(ingest, "flood:1", "stoke.gateway.inflight:1|g|#function:flood", T0 + 1000);
    assertThat(counters.get(Counter.RATE_LIMITED_LINES)).as("refilled after 1 s").isEqualTo(800);
  }

  @Test
  void refusesNewSourcesBeyondItsBoundUntilOldOnesGoIdle() {
    var ingest = new StatsIngest(settings(100, 100, 2), counters, T0);
    send(ingest, "a:1", "x:1|c", T0);
    send(ingest, "b:1", "x:1|c", T0);
    send(ingest, "c:1", "x:1|c", T0);
    assertThat(counters.get(Counter.REFUSED_SOURCE_LINES)).isEqualTo(1);
    assertThat(ingest.sourceCount()).isEqualTo(2);

    send(ingest, "c:1", "x:1|c", T0 + 61_000);
    assertThat(counters.get(Counter.REFUSED_SOURCE_LINES)).isEqualTo(1);
    assertThat(ingest.sourceCount()).isEqualTo(1);
  }

  @Test
  void dropsOversizeDatagramsAndLongLines() {
    var ingest = new StatsIngest(settings(10_000, 10_000, 10), counters, T0);
    byte[] huge = new byte[2000];
    ingest.accept("a:1", huge, huge.length, T0);
    send(ingest, "a:1", "x".repeat(200) + ":1|c", T0);

    assertThat(counters.get(Counter.OVERSIZE_DATAGRAMS)).isEqualTo(1);
    assertThat(counters.get(Counter.LONG_LINES)).isEqualTo(1);
    assertThat(counters.get(Counter.MALFORMED)).isEqualTo(1);
  }
}
