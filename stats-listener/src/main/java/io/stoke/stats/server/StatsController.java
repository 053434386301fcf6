package io.stoke.stats.server;

import io.stoke.stats.ingest.IngestCounters;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /_/stats}: the listener's own counters and figures, as JSON. */
@RestController
public class StatsController {

  /** The listener's view of itself. */
  public record StatsReport(UdpReceiver.Figures receiver, Map<String, Long> counters) {}

  private final UdpReceiver receiver;
  private final IngestCounters counters;

  public StatsController(UdpReceiver receiver, IngestCounters counters) {
    this.receiver = receiver;
    this.counters = counters;
  }

  @GetMapping("/_/stats")
  public StatsReport stats() {
    return new StatsReport(receiver.figures(), counterMap(counters));
  }

  static Map<String, Long> counterMap(IngestCounters counters) {
    var named = new LinkedHashMap<String, Long>();
    counters
        .snapshot()
        .forEach((counter, value) -> named.put(counter.name().toLowerCase(Locale.ROOT), value));
    return named;
  }
}
