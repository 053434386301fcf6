package io.stoke.state.http;

import java.time.Duration;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The TCP listener of the state service's HTTP API (all functions; the path names one). */
public final class StateServer implements AutoCloseable {

  private final DisposableServer server;

  public StateServer(HttpTransport transport, String bind, int port) {
    this.server =
        HttpServer.create()
            .host(bind)
            .port(port)
            .idleTimeout(Duration.ofMinutes(2))
            .httpRequestDecoder(spec -> spec.maxInitialLineLength(4096).maxHeaderSize(16384))
            .handle((request, response) -> transport.handle(request, response, null))
            .bindNow();
    // Reactor Netty's threads are daemons: this one keeps the JVM alive while the server is.
    Thread.ofPlatform().daemon(false).name("state-server").start(() -> server.onDispose().block());
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
  }
}
