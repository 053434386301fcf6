package io.stoke.gateway;

import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real function process on the host: Stoke's Python runtime serving one handler on a free
 * loopback port, started the way a container would run it.
 */
final class FunctionProcess implements AutoCloseable {

  static final Path RUNTIME = Path.of("../functions/runtimes/python/stoke_runtime.py");
  static final Path TEST_FUNCTIONS = Path.of("src/test/resources/functions");

  private final Process process;
  private final int port;
  private final String id;

  private FunctionProcess(Process process, int port, String id) {
    this.process = process;
    this.port = port;
    this.id = id;
  }

  /** Starts {@code handler} from {@code dir} as instance {@code id} and waits for /_/ready. */
  static FunctionProcess start(Path dir, String handler, String function, String id) {
    try {
      int port = RedisServer.freePort();
      var log = Files.createTempFile("stoke-fn-" + id, ".log");
      var builder =
          new ProcessBuilder(List.of("python3", RUNTIME.toAbsolutePath().toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      var env = builder.environment();
      env.put("PORT", Integer.toString(port));
      env.put("STOKE_HANDLER", handler);
      env.put("STOKE_FUNCTION_DIR", dir.toAbsolutePath().toString());
      env.put("STOKE_FUNCTION", function);
      env.put("STOKE_INSTANCE", id);
      var started = new FunctionProcess(builder.start(), port, id);
      started.awaitReady(log);
      return started;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start function process " + id, e);
    }
  }

  static FunctionProcess testHandler(String handlerFile, String function, String id) {
    return start(TEST_FUNCTIONS, handlerFile, function, id);
  }

  private void awaitReady(Path log) throws IOException {
    var client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
    var ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_/ready")).build();
    var deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("function " + id + " exited: " + Files.readString(log));
      }
      try {
        if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("function " + id + " not ready within 10 s: " + Files.readString(log));
  }

  int port() {
    return port;
  }

  String id() {
    return id;
  }

  /** Kills the process at once, as a crash would. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
  }
}
