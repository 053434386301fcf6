package io.stoke.gateway;

import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServer;

/**
 * The cheapest possible backend for {@link GatewayOverheadBenchmark}: Reactor Netty answering
 * {@code {"Hello":"World"}} on every path, run as its own process so it shares no event loop with
 * the gateway. Argument: the loopback port.
 */
final class NettyHelloServer {

  private NettyHelloServer() {}

  public static void main(String[] args) {
    byte[] body = "{\"Hello\":\"World\"}".getBytes(StandardCharsets.UTF_8);
    HttpServer.create()
        .host("127.0.0.1")
        .port(Integer.parseInt(args[0]))
        .route(
            routes ->
                routes.route(
                    request -> true,
                    (request, response) ->
                        response
                            .header("Content-Type", "application/json")
                            .header("Content-Length", Integer.toString(body.length))
                            .sendByteArray(Mono.just(body))))
        .bindNow()
        .onDispose()
        .block();
  }
}
