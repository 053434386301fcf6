package io.stoke.stats.ingest;

import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.ingest.Mapping.Mapped;
import io.stoke.stats.statsd.ParseResult;
import io.stoke.stats.statsd.StatsdParser;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The whole ingest path of one datagram without the network: size and rate bounds, line splitting,
 * parsing, mapping and aggregation. Pure (the caller passes the time) and not thread-safe: one
 * receiver thread owns it. Nothing a sender puts in a datagram makes it throw or grow beyond the
 * bounds of its {@link IngestSettings}.
 */
public final class StatsIngest {

  /** What became due at one {@link #tick}: scale signals now, loads at the end of a window. */
  public record Tick(List<ScaleSignal> signals, List<FunctionLoad> loads) {
    public static final Tick NOTHING = new Tick(List.of(), List.of());

    public boolean isEmpty() {
      return signals.isEmpty() && loads.isEmpty();
    }
  }

  private final IngestSettings settings;
  private final IngestCounters counters;
  private final Map<Intake, SourceLimiter> limiters = new EnumMap<>(Intake.class);
  private final FunctionMetricMapper mapper = new FunctionMetricMapper();
  private final LoadAggregator aggregator;

  public StatsIngest(IngestSettings settings, IngestCounters counters, long nowMillis) {
    this.settings = settings;
    this.counters = counters;
    for (Intake intake : Intake.values()) {
      limiters.put(
          intake,
          new SourceLimiter(
              settings.linesPerSecondPerSource(),
              settings.burstLines(),
              settings.maxSources(),
              settings.sourceIdle().toMillis()));
    }
    this.aggregator = new LoadAggregator(settings, counters, nowMillis);
  }

  /** Ingests a datagram that came in on the public StatsD port. */
  public void accept(String source, byte[] data, int length, long nowMillis) {
    accept(Intake.STATSD, source, data, length, nowMillis);
  }

  /**
   * Ingests the first {@code length} bytes of {@code data}, received from {@code source} on {@code
   * intake}.
   */
  public void accept(Intake intake, String source, byte[] data, int length, long nowMillis) {
    counters.increment(Counter.DATAGRAMS);
    counters.add(Counter.BYTES, length);
    if (length > settings.maxDatagramBytes()) {
      counters.increment(Counter.OVERSIZE_DATAGRAMS);
      return;
    }
    int lines = countLines(data, length);
    counters.add(Counter.LINES, lines);
    switch (limiters.get(intake).admit(source, lines, nowMillis)) {
      case ADMITTED -> ingestLines(source, data, length, nowMillis);
      case RATE_LIMITED -> counters.add(Counter.RATE_LIMITED_LINES, lines);
      case TOO_MANY_SOURCES -> counters.add(Counter.REFUSED_SOURCE_LINES, lines);
    }
  }

  /** Scale signals due now and, when a window ended, every function's load. */
  public Tick tick(long nowMillis) {
    List<ScaleSignal> signals = aggregator.dueSignals(nowMillis);
    if (!aggregator.windowDue(nowMillis)) {
      return signals.isEmpty() ? Tick.NOTHING : new Tick(signals, List.of());
    }
    limiters.values().forEach(limiter -> limiter.evictIdle(nowMillis));
    return new Tick(signals, aggregator.closeWindow(nowMillis));
  }

  private void ingestLines(String source, byte[] data, int length, long nowMillis) {
    int start = 0;
    while (start < length) {
      int end = indexOfNewline(data, start, length);
      int lineEnd = end > start && data[end - 1] == '\r' ? end - 1 : end;
      if (lineEnd > start) {
        ingestLine(source, data, start, lineEnd - start, nowMillis);
      }
      start = end + 1;
    }
  }

  private void ingestLine(String source, byte[] data, int offset, int length, long nowMillis) {
    if (length > settings.maxLineLength()) {
      counters.increment(Counter.LONG_LINES);
      counters.increment(Counter.MALFORMED);
      return;
    }
    String line = new String(data, offset, length, StandardCharsets.UTF_8);
    switch (StatsdParser.parse(line)) {
      case ParseResult.Malformed malformed -> counters.increment(Counter.MALFORMED);
      case ParseResult.Metric metric -> {
        switch (mapper.map(metric)) {
          case Mapping.Unmapped unmapped -> counters.increment(Counter.UNMAPPED);
          case Mapped mapped -> {
            counters.increment(Counter.METRICS);
            aggregator.ingest(source, mapped, metric, nowMillis);
          }
        }
      }
    }
  }

  /** Non-empty lines in the datagram (what the rate bound charges for). */
  private static int countLines(byte[] data, int length) {
    int lines = 0;
    boolean inLine = false;
    for (int i = 0; i < length; i++) {
      byte b = data[i];
      if (b == '\n') {
        inLine = false;
      } else if (!inLine && b != '\r') {
        inLine = true;
        lines++;
      }
    }
    return lines;
  }

  private static int indexOfNewline(byte[] data, int from, int length) {
    for (int i = from; i < length; i++) {
      if (data[i] == '\n') {
        return i;
      }
    }
    return length;
  }

  public int functionCount() {
    return aggregator.functionCount();
  }

  public int seriesCount() {
    return aggregator.seriesCount();
  }

  public int sourceCount() {
    return limiters.values().stream().mapToInt(SourceLimiter::size).sum();
  }
}
