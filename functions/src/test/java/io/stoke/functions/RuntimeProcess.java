package io.stoke.functions;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A function runtime started as a real process on a free loopback port. */
final class RuntimeProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private RuntimeProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    Thread.ofPlatform().daemon().name("stderr-" + port).start(this::collectStderr);
  }

  /** Starts {@code command} with the runtime environment plus {@code env} on a free port. */
  static RuntimeProcess start(List<String> command, Map<String, String> env) {
    int port = freePort();
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    builder.environment().put("PORT", Integer.toString(port));
    try {
      return new RuntimeProcess(builder.start(), port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Waits until GET /_/ready answers 200. */
  RuntimeProcess awaitReady() {
    await("readiness of the runtime on port " + port)
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("runtime exited: " + stderrText());
              }
              return get("/_/ready").statusCode() == 200;
            });
    return this;
  }

  HttpResponse<String> get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("request " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery) {
    return client.sendAsync(
        HttpRequest.newBuilder(uri(pathAndQuery)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  int port() {
    return port;
  }

  Process process() {
    return process;
  }

  String stderrText() {
    return String.join("\n", stderr);
  }

  /**
   * Sends SIGTERM. Through the process handle, unlike {@link Process#destroy()}, which also closes
   * the pipes and so would hide the runtime's drain log.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the process to exit and returns its status. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("runtime still running after " + timeout + ": " + stderrText());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    client.close();
  }

  private void collectStderr() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      reader.lines().forEach(stderr::add);
    } catch (IOException | UncheckedIOException e) {
      stderr.add("(stderr closed: " + e + ")");
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
