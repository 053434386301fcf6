package io.stoke.gateway.connection;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;

/**
 * Bounds what one client can hold of the server: refuses a connection beyond the per-address cap at
 * once, and gives every HTTP/1.1 connection a {@link RequestHeadTimeout}.
 */
public final class ConnectionGuard {

  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  private final ClientConnections clients;
  private final Duration headTimeout;

  /**
   * @param maxPerClient connections one client address may hold open at once
   * @param headTimeout how long a request head may take to arrive whole
   */
  public ConnectionGuard(int maxPerClient, Duration headTimeout) {
    this.clients = new ClientConnections(maxPerClient);
    this.headTimeout = headTimeout;
  }

  /** Connections of {@code client} open now. */
  public int open(java.net.InetAddress client) {
    return clients.open(client);
  }

  /** Installs the guard on every connection the server accepts. */
  public NettyServerCustomizer customizer() {
    return server -> server.doOnChannelInit((observer, channel, remote) -> guard(channel, remote));
  }

  private void guard(Channel channel, SocketAddress remote) {
    if (remote instanceof InetSocketAddress address && address.getAddress() != null) {
      var client = address.getAddress();
      if (!clients.admit(client)) {
        log.debug("refused a connection from {}: it holds too many already", client);
        channel.close();
        return;
      }
      channel.closeFuture().addListener(closed -> clients.release(client));
    }
    var pipeline = channel.pipeline();
    if (pipeline.get(NettyPipeline.HttpCodec) != null) {
      new RequestHeadTimeout(channel, headTimeout).install(pipeline);
    }
  }
}
