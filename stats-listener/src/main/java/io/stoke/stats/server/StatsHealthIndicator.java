package io.stoke.stats.server;

import io.stoke.stats.ingest.IngestCounters;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Health of the StatsD receiver: up while its UDP socket is open, with its counters. */
@Component("statsd")
public class StatsHealthIndicator implements HealthIndicator {

  private final UdpReceiver receiver;
  private final IngestCounters counters;

  public StatsHealthIndicator(UdpReceiver receiver, IngestCounters counters) {
    this.receiver = receiver;
    this.counters = counters;
  }

  @Override
  public Health health() {
    UdpReceiver.Figures figures = receiver.figures();
    Health.Builder health = figures.running() ? Health.up() : Health.down();
    return health
        .withDetail("receiver", figures)
        .withDetail("counters", StatsController.counterMap(counters))
        .build();
  }
}
