package io.stoke.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC server serving ADS (xDS v3, state of the world and delta) from the snapshot cache. */
public final class AdsServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdsServer.class);

  private final Server server;

  private AdsServer(Server server) {
    this.server = server;
  }

  /** Starts serving on {@code address}; port 0 picks a free one. */
  public static AdsServer start(
      InetSocketAddress address,
      SimpleCache<String> cache,
      List<? extends DiscoveryServerCallbacks> callbacks) {
    var discovery = new V3DiscoveryServer(List.copyOf(callbacks), cache);
    var server =
        NettyServerBuilder.forAddress(address)
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            // Envoy keeps its ADS stream open for good; keepalives detect dead peers. The server
            // pings too: a vanished client must not hold back which instances count as routed.
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve ADS on " + address, e);
    }
    log.info("Serving ADS on {}", server.getListenSockets());
    return new AdsServer(server);
  }

  public int port() {
    return server.getPort();
  }

  /** The address the server listens on (one socket: it is bound to one address). */
  public InetSocketAddress boundAddress() {
    return (InetSocketAddress) server.getListenSockets().getFirst();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
