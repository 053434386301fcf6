package io.stoke.common.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real {@code redis-server} on a free loopback port, for integration tests. Started with no
 * persistence in a temporary folder and killed on {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server and waits until it accepts connections. */
  public static RedisServer start() {
    try {
      int port = freePort();
      Path dir = Files.createTempDirectory("stoke-redis");
      var command =
          List.of(
              binary(),
              "--port",
              String.valueOf(port),
              "--bind",
              "127.0.0.1",
              "--save",
              "",
              "--appendonly",
              "no",
              "--dir",
              dir.toString());
      var process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis.log").toFile())
              .start();
      var server = new RedisServer(process, port, dir);
      server.awaitAccepting();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (./stoke test installs it)", e);
    }
  }

  private static String binary() {
    for (var candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "redis-server";
  }

  public static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void awaitAccepting() throws IOException {
    var deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
      }
      try (var socket = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
      }
    }
    throw new IOException("redis-server did not accept connections within 10 s");
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open but nothing is answered, as when Redis
   * hangs or the network to it drops packets. {@link #resume()} lets it go on with its data.
   */
  public void pause() {
    signal("STOP");
  }

  /** Lets a {@link #pause() paused} server go on (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      var kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " redis-server failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      // Gone when this returns: a test that stops Redis must not race its last moments.
      process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
