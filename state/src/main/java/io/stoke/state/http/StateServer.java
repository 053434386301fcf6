package io.stoke.state.http;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The TCP listener of the state service's HTTP API (all functions; the path names one). */
public final class StateServer implements AutoCloseable {

  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final DisposableServer server;

  public StateServer(HttpTransport transport, String bind, int port) {
    this.server =
        HttpServer.create()
            .host(bind)
            .port(port)
            .idleTimeout(Duration.ofMinutes(2))
            .httpRequestDecoder(spec -> spec.maxInitialLineLength(4096).maxHeaderSize(16384))
            .doOnConnection(connection -> connections.add(connection.channel()))
            .handle((request, response) -> transport.handle(request, response, null))
            .bindNow();
    // Reactor Netty's threads are daemons: this one keeps the JVM alive while the server is.
    Thread.ofPlatform().daemon(false).name("state-server").start(() -> server.onDispose().block());
  }

  public int port() {
    return server.port();
  }

  /**
   * Stops accepting, then closes every open connection: an idle keep-alive connection left open
   * would be served by a stopped service while a new one already listens on the port.
   */
  @Override
  public void close() {
    server.dispose();
    connections.close().awaitUninterruptibly(Duration.ofSeconds(5).toMillis());
    server.onDispose().block(Duration.ofSeconds(5));
  }
}
