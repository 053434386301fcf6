package io.stoke.stats.server;

import io.stoke.stats.ingest.IngestCounters;
import io.stoke.stats.ingest.IngestCounters.Counter;
import io.stoke.stats.ingest.StatsIngest;
import io.stoke.stats.ingest.StatsIngest.Tick;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The StatsD UDP server: one dedicated thread receives datagrams and owns the {@link StatsIngest};
 * due scale signals and window loads go to a sink (the Redis writer) so Redis never slows
 * receiving.
 */
public final class UdpReceiver implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(UdpReceiver.class);
  // How often the thread wakes without traffic to close windows and send due signals.
  private static final int TICK_MILLIS = 50;
  private static final long LOG_EVERY_MILLIS = 10_000;

  /** Figures of the ingest state, published by the receiver thread at each window. */
  public record Figures(
      int port, double linesPerSecond, int functions, int series, int sources, boolean running) {}

  private final StatsProperties properties;
  private final IngestCounters counters;
  private final Clock clock;
  private final Consumer<Tick> sink;
  private volatile DatagramSocket socket;
  private volatile Thread thread;
  private volatile Figures figures = new Figures(0, 0, 0, 0, 0, false);

  public UdpReceiver(
      StatsProperties properties, IngestCounters counters, Clock clock, Consumer<Tick> sink) {
    this.properties = properties;
    this.counters = counters;
    this.clock = clock;
    this.sink = sink;
  }

  @Override
  public void start() {
    try {
      var bound = new DatagramSocket(null);
      bound.setReceiveBufferSize(properties.receiveBufferBytes());
      bound.setSoTimeout(TICK_MILLIS);
      bound.bind(new InetSocketAddress(properties.bind(), properties.port()));
      socket = bound;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot bind StatsD UDP " + properties.bind() + ":" + properties.port(), e);
    }
    var ingest = new StatsIngest(properties.ingestSettings(), counters, clock.millis());
    figures = new Figures(socket.getLocalPort(), 0, 0, 0, 0, true);
    thread = Thread.ofPlatform().name("stats-udp").daemon().start(() -> run(socket, ingest));
    log.info(
        "StatsD listening on udp {}:{} (receive buffer {} bytes)",
        properties.bind(),
        socket.getLocalPort(),
        receiveBufferSize(socket));
  }

  private void run(DatagramSocket socket, StatsIngest ingest) {
    // One byte more than allowed, so an oversize datagram is seen rather than silently truncated.
    byte[] buffer = new byte[properties.ingestSettings().maxDatagramBytes() + 1];
    var packet = new DatagramPacket(buffer, buffer.length);
    var rate = new RateWindow(clock.millis(), counters.get(Counter.LINES));
    while (!socket.isClosed()) {
      try {
        if (receive(socket, packet, buffer)) {
          String source = packet.getAddress().getHostAddress() + ":" + packet.getPort();
          ingest.accept(source, buffer, packet.getLength(), clock.millis());
        }
        long now = clock.millis();
        Tick tick = ingest.tick(now);
        if (rate.due(now)) {
          publishFigures(ingest, rate, now);
        }
        if (!tick.isEmpty()) {
          sink.accept(tick);
        }
      } catch (IOException e) {
        if (!socket.isClosed()) {
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

  /** True when a datagram arrived; false when the tick interval passed without one. */
  private static boolean receive(DatagramSocket socket, DatagramPacket packet, byte[] buffer)
      throws IOException {
    packet.setData(buffer, 0, buffer.length);
    try {
      socket.receive(packet);
      return true;
    } catch (SocketTimeoutException idle) {
      return false;
    }
  }

  private void publishFigures(StatsIngest ingest, RateWindow rate, long now) {
    long lines = counters.get(Counter.LINES);
    double perSecond = rate.advance(now, lines);
    figures =
        new Figures(
            socket.getLocalPort(),
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
    DatagramSocket current = socket;
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
    figures = new Figures(figures.port(), 0, 0, 0, 0, false);
  }

  @Override
  public boolean isRunning() {
    return figures.running();
  }

  /** Bound UDP port (useful with {@code stoke.stats.port=0}); 0 before start. */
  public int localPort() {
    return figures.port();
  }

  public Figures figures() {
    return figures;
  }

  private static int receiveBufferSize(DatagramSocket socket) {
    try {
      return socket.getReceiveBufferSize();
    } catch (IOException e) {
      return -1;
    }
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
