package io.stoke.stats.server;

import io.stoke.stats.ingest.Intake;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's two UDP sockets, read by one thread: the public StatsD port and the gateway's own
 * report port. Each has its own kernel receive buffer, so a flood at the public port cannot make
 * the kernel drop the gateway's reports, and the gateway's socket is read first (at least once
 * every {@value #PUBLIC_BURST} public datagrams), so the flood can delay them by microseconds,
 * never starve them.
 */
final class StatsSockets implements Closeable {

  /** One datagram: where it came in and who sent it; its bytes are in the caller's buffer. */
  record Received(Intake intake, InetSocketAddress sender) {}

  private static final Logger log = LoggerFactory.getLogger(StatsSockets.class);
  static final int PUBLIC_BURST = 16;

  private final DatagramChannel statsd;
  private final DatagramChannel gateway;
  private final Selector selector;
  // Receiver thread only.
  private int publicInARow;
  private boolean gatewayFirst;

  private StatsSockets(DatagramChannel statsd, DatagramChannel gateway, Selector selector) {
    this.statsd = statsd;
    this.gateway = gateway;
    this.selector = selector;
  }

  /** Binds both sockets with the configured receive buffer and logs what the kernel granted. */
  static StatsSockets open(StatsProperties properties) {
    var statsd = bind("StatsD", properties.bind(), properties.port(), properties);
    try {
      var gateway = bind("gateway", properties.gatewayBind(), properties.gatewayPort(), properties);
      try {
        var selector = Selector.open();
        statsd.register(selector, SelectionKey.OP_READ);
        gateway.register(selector, SelectionKey.OP_READ);
        return new StatsSockets(statsd, gateway, selector);
      } catch (IOException e) {
        closeAfterFailure(gateway, e);
        throw new UncheckedIOException("cannot watch the StatsD sockets", e);
      }
    } catch (RuntimeException e) {
      closeAfterFailure(statsd, e);
      throw e;
    }
  }

  private static DatagramChannel bind(
      String name, String address, int port, StatsProperties properties) {
    try {
      var channel = DatagramChannel.open();
      channel.setOption(StandardSocketOptions.SO_RCVBUF, properties.receiveBufferBytes());
      channel.bind(new InetSocketAddress(address, port));
      channel.configureBlocking(false);
      int granted = channel.getOption(StandardSocketOptions.SO_RCVBUF);
      log.info(
          "{} listening on udp {}:{}; receive buffer requested {} bytes, kernel granted {}"
              + " (capped at net.core.rmem_max)",
          name,
          address,
          ((InetSocketAddress) channel.getLocalAddress()).getPort(),
          properties.receiveBufferBytes(),
          granted);
      if (granted < properties.receiveBufferBytes()) {
        log.warn(
            "{} socket got a smaller receive buffer than stoke.stats.receive-buffer-bytes: raise"
                + " the host's net.core.rmem_max (sysctl) to at least {}",
            name,
            properties.receiveBufferBytes());
      }
      return channel;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind " + name + " UDP " + address + ":" + port, e);
    }
  }

  /**
   * Receives the next datagram into {@code buffer} (cleared first), waiting up to {@code
   * timeoutMillis} when none is queued; empty when none came.
   */
  Optional<Received> receive(ByteBuffer buffer, long timeoutMillis) throws IOException {
    Optional<Received> next = poll(buffer);
    if (next.isEmpty()) {
      selector.select(timeoutMillis);
      selector.selectedKeys().clear();
      next = poll(buffer);
    }
    return next;
  }

  /**
   * The gateway's socket first when it was last found non-empty (a burst of reports is drained at
   * once) or after {@value #PUBLIC_BURST} public datagrams in a row; otherwise the public one.
   */
  private Optional<Received> poll(ByteBuffer buffer) throws IOException {
    if (gatewayFirst || publicInARow >= PUBLIC_BURST) {
      publicInARow = 0;
      Optional<Received> fromGateway = read(gateway, Intake.GATEWAY, buffer);
      gatewayFirst = fromGateway.isPresent();
      if (gatewayFirst) {
        return fromGateway;
      }
    }
    Optional<Received> fromStatsd = read(statsd, Intake.STATSD, buffer);
    if (fromStatsd.isPresent()) {
      publicInARow++;
      return fromStatsd;
    }
    publicInARow = 0;
    Optional<Received> fromGateway = read(gateway, Intake.GATEWAY, buffer);
    gatewayFirst = fromGateway.isPresent();
    return fromGateway;
  }

  private static Optional<Received> read(DatagramChannel channel, Intake intake, ByteBuffer buffer)
      throws IOException {
    buffer.clear();
    SocketAddress sender = channel.receive(buffer);
    return sender == null
        ? Optional.empty()
        : Optional.of(new Received(intake, (InetSocketAddress) sender));
  }

  int statsdPort() {
    return localPort(statsd);
  }

  int gatewayPort() {
    return localPort(gateway);
  }

  /** The receive buffer the kernel granted each socket, as it reports it. */
  int receiveBufferBytes() {
    try {
      return statsd.getOption(StandardSocketOptions.SO_RCVBUF);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read SO_RCVBUF of the StatsD socket", e);
    }
  }

  private static int localPort(DatagramChannel channel) {
    try {
      return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the local address of a StatsD socket", e);
    }
  }

  boolean isOpen() {
    return statsd.isOpen();
  }

  @Override
  public void close() {
    // The public socket first: the receiver thread stops once isOpen() says false.
    for (Closeable closeable : new Closeable[] {statsd, gateway, selector}) {
      try {
        closeable.close();
      } catch (IOException e) {
        log.warn("closing a StatsD socket failed", e);
      }
    }
  }

  private static void closeAfterFailure(DatagramChannel channel, Exception cause) {
    try {
      channel.close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }
}
