package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import io.stoke.state.support.UnixHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The Python SDK (functions/runtimes/python/stoke) against a real state service over a function's
 * Unix socket: its unittest suite, including the lock with ten contending clients.
 */
class PythonSdkIT {

  private static final Path RUNTIME = Path.of("..", "functions", "runtimes", "python");

  @Test
  void thePythonSdkSuitePassesOverTheFunctionsSocket() throws Exception {
    var root = Files.createTempDirectory("state-sockets");
    try (var redis = RedisServer.start();
        var state = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      Files.createDirectories(root.resolve("sdk"));
      var socket = root.resolve("sdk").resolve(SocketListeners.SOCKET);
      Awaitility.await("the socket listens")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> UnixHttp.post(socket, "/v1/kv/list", Map.of()).status() == 200);
      var process =
          new ProcessBuilder("python3", "-m", "unittest", "-v", "test_state")
              .directory(RUNTIME.toFile())
              .redirectErrorStream(true);
      process.environment().put("STOKE_STATE_SOCKET", socket.toString());
      // No __pycache__ in the runtime folder: it is part of every Python function's build context.
      process.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      var running = process.start();
      var output = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(running.waitFor(5, TimeUnit.MINUTES)).isTrue();
      System.out.println(output);
      assertThat(running.exitValue()).as(output).isZero();
      assertThat(output).contains("overlaps = 0");
    }
  }
}
