package io.stoke.state.support;

import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real redis-server with AOF on and fsync at every write, that a test can kill (SIGKILL) and
 * start again on the same port and data folder: acknowledged writes must survive it.
 */
public final class DurableRedis implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private DurableRedis(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  public static DurableRedis start() throws IOException {
    var redis = new DurableRedis(RedisServer.freePort(), Files.createTempDirectory("stoke-aof"));
    redis.launch();
    return redis;
  }

  private void launch() throws IOException {
    var command =
        List.of(
            "redis-server",
            "--port",
            String.valueOf(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            dir.toString());
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    Awaitility.await("redis-server accepting on " + port)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              try (var socket = new Socket("127.0.0.1", port)) {
                return process.isAlive();
              }
            });
  }

  /** Kills the server (SIGKILL: no shutdown save) and starts it again from its AOF. */
  public void crashAndRestart() throws IOException, InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    launch();
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
