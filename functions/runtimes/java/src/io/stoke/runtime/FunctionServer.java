package io.stoke.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Serves one handler over HTTP: the readiness path, a concurrency limit, one access-log line per
 * request, and errors as 500 JSON.
 */
final class FunctionServer {

  static final String READY_PATH = "/_/ready";

  private final RuntimeConfig config;
  private final Handler handler;
  private final Semaphore limit;
  private final PrintStream log;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  FunctionServer(RuntimeConfig config, Handler handler, PrintStream log) throws IOException {
    this.config = config;
    this.handler = handler;
    this.limit = config.concurrency() > 0 ? new Semaphore(config.concurrency(), true) : null;
    this.log = log;
    this.server = HttpServer.create(new InetSocketAddress("0.0.0.0", config.port()), 256);
    server.createContext("/", this::exchange);
    server.setExecutor(executor);
  }

  void start() {
    server.start();
  }

  /** The bound port (useful when configured with port 0). */
  int port() {
    return server.getAddress().getPort();
  }

  /** Stops accepting connections, then waits up to the drain time for in-flight requests. */
  void drain() {
    server.stop(config.drainSeconds());
    executor.close();
  }

  private void exchange(HttpExchange exchange) throws IOException {
    long started = System.nanoTime();
    String error = null;
    Response response;
    try {
      response = respond(exchange);
    } catch (Exception | LinkageError e) {
      error = e.toString();
      response = errorResponse(error);
    }
    send(exchange, response);
    double millis = (System.nanoTime() - started) / 1_000_000.0;
    log.printf(
        "%s %s %s %d %.1fms%s%n",
        config.function(),
        exchange.getRequestMethod(),
        exchange.getRequestURI().getRawPath()
            + (exchange.getRequestURI().getRawQuery() == null
                ? ""
                : "?" + exchange.getRequestURI().getRawQuery()),
        response.status(),
        millis,
        error == null ? "" : " error=" + error);
  }

  private Response respond(HttpExchange exchange) throws Exception {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String path = exchange.getRequestURI().getRawPath();
    if (READY_PATH.equals(path)) {
      return Response.json("{\"ready\":true}");
    }
    Request request =
        new Request(
            exchange.getRequestMethod(),
            path,
            exchange.getRequestURI().getRawQuery(),
            exchange.getRequestHeaders(),
            body);
    if (limit == null) {
      return checked(handler.handle(request));
    }
    limit.acquire();
    try {
      return checked(handler.handle(request));
    } finally {
      limit.release();
    }
  }

  private static Response checked(Response response) {
    if (response == null) {
      throw new IllegalStateException("the handler returned null instead of a Response");
    }
    return response;
  }

  private Response errorResponse(String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("error", message);
    error.put("function", config.function());
    error.put("status", 500);
    return Response.json(500, Json.stringify(error));
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    byte[] body = response.body();
    boolean noBody =
        "HEAD".equals(exchange.getRequestMethod())
            || response.status() == 204
            || response.status() == 304
            || body.length == 0;
    exchange.sendResponseHeaders(response.status(), noBody ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!noBody) {
        out.write(body);
      }
    }
  }
}
