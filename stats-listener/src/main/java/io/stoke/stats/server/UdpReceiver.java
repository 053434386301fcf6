package io.stoke.stats.server;

import io.stoke.stats.ingest.IngestCounters;
import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.ingest.StatsIngest;
import io.stoke.stats.ingest.StatsIngest.Tick;
import io.stoke.stats.server.StatsSockets.Received;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The StatsD UDP server: one dedicated thread receives datagrams from both {@link StatsSockets} and
 * owns the {@link StatsIngest}; due scale signals and window loads go to a sink (the Redis writer)
 * so Redis never slows receiving.
 */
public final class UdpReceiver implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(UdpReceiver.class);
  // How often the thread wakes without traffic to close windows and send due signals.
  private static final int TICK_MILLIS = 50;
  private static final long LOG_EVERY_MILLIS = 10_000;

  /**
   * Figures of the ingest state, published by the receiver thread at each window.
   *
   * @param port the public StatsD port
   * @param gatewayPort the port of the gateway's reports
   * @param receiveBufferBytes the receive buffer of each socket as the kernel reports it
   */
  public record Figures(
      int port,
      int gatewayPort,
      int receiveBufferBytes,
      double linesPerSecond,
      int functions,
      int series,
      int sources,
      boolean running) {}

  private final StatsProperties properties;
  private final IngestCounters counters;
  private final Clock clock;
  private final Consumer<Tick> sink;
  private volatile StatsSockets sockets;
  private volatile Thread thread;
  private volatile Figures figures = new Figures(0, 0, 0, 0, 0, 0, 0, false);

  public UdpReceiver(
      StatsProperties properties, IngestCounters counters, Clock clock, Consumer<Tick> sink) {
    this.properties = properties;
    this.counters = counters;
    this.clock = clock;
    this.sink = sink;
  }

  @Override
  public void start() {
    var opened = StatsSockets.open(properties);
    sockets = opened;
    var ingest = new StatsIngest(properties.ingestSettings(), counters, clock.millis());
    figures = started(opened);
    thread = Thread.ofPlatform().name("stats-udp").daemon().start(() -> run(opened, ingest));
  }

  private void run(StatsSockets sockets, StatsIngest ingest) {
    // One byte more than allowed, so an oversize datagram is seen rather than silently truncated.
    byte[] bytes = new byte[properties.ingestSettings().maxDatagramBytes() + 1];
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    var rate = new RateWindow(clock.millis(), counters.get(Counter.LINES));
    while (sockets.isOpen()) {
      try {
        Optional<Received> received = sockets.receive(buffer, TICK_MILLIS);
        if (received.isPresent()) {
          ingest(ingest, received.get(), bytes, buffer.position());
        }
        long now = clock.millis();
        Tick tick = ingest.tick(now);
        if (rate.due(now)) {
          publishFigures(sockets, ingest, rate, now);
        }
        if (!tick.isEmpty()) {
          sink.accept(tick);
        }
      } catch (IOException | ClosedSelectorException e) {
        // Closed sockets are how stop() ends this loop: only a failure while open is news.
        if (sockets.isOpen()) {
          log.warn("StatsD receive failed; continuing", e);
        }
      } catch (RuntimeException e) {
        // Defensive: the ingest path is built never to throw; if it does, one datagram is lost,
        // not the listener.
        counters.increment(Counter.MALFORMED);
        log.error("StatsD ingest failed on a datagram; continuing", e);
      }
    }
  }

  private void ingest(StatsIngest ingest, Received received, byte[] bytes, int length) {
    InetSocketAddress sender = received.sender();
    String source = sender.getAddress().getHostAddress() + ":" + sender.getPort();
    ingest.accept(received.intake(), source, bytes, length, clock.millis());
  }

  private void publishFigures(StatsSockets sockets, StatsIngest ingest, RateWindow rate, long now) {
    long lines = counters.get(Counter.LINES);
    double perSecond = rate.advance(now, lines);
    figures =
        new Figures(
            sockets.statsdPort(),
            sockets.gatewayPort(),
            sockets.receiveBufferBytes(),
            perSecond,
            ingest.functionCount(),
            ingest.seriesCount(),
            ingest.sourceCount(),
            true);
    if (rate.shouldLog(now, LOG_EVERY_MILLIS) && log.isDebugEnabled()) {
      log.debug("StatsD ingest: {} counters {}", figures, counters.snapshot());
    }
  }

  @Override
  public void stop() {
    StatsSockets current = sockets;
    if (current != null) {
      current.close();
    }
    Thread running = thread;
    if (running != null) {
      try {
        running.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Figures last = figures;
    figures =
        new Figures(last.port(), last.gatewayPort(), last.receiveBufferBytes(), 0, 0, 0, 0, false);
  }

  @Override
  public boolean isRunning() {
    return figures.running();
  }

  /** Bound public UDP port (useful with {@code stoke.stats.port=0}); 0 before start. */
  public int localPort() {
    return figures.port();
  }

  /** Bound UDP port of the gateway's reports; 0 before start. */
  public int gatewayPort() {
    return figures.gatewayPort();
  }

  public Figures figures() {
    return figures;
  }

  private static Figures started(StatsSockets sockets) {
    return new Figures(
        sockets.statsdPort(),
        sockets.gatewayPort(),
        sockets.receiveBufferBytes(),
        0,
        0,
        0,
        0,
        true);
  }

  /** Lines per second between publications, and when to log next. Receiver thread only. */
  private static final class RateWindow {
    private long since;
    private long linesSince;
    private long loggedAt;

    private RateWindow(long now, long lines) {
      this.since = now;
      this.linesSince = lines;
      this.loggedAt = now;
    }

    boolean due(long now) {
      return now - since >= 1_000;
    }

    double advance(long now, long lines) {
      double perSecond = (lines - linesSince) * 1000.0 / Math.max(1, now - since);
      since = now;
      linesSince = lines;
      return Math.round(perSecond * 10) / 10.0;
    }

    boolean shouldLog(long now, long every) {
      if (now - loggedAt < every) {
        return false;
      }
      loggedAt = now;
      return true;
    }
  }
}
