package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import io.stoke.state.support.UnixHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code functions/leader} example's handler in two Python processes (two instances of the
 * function) against a real state service over the function's socket.
 */
class LeaderExampleIT {

  private static final Path FUNCTIONS = Path.of("..", "functions").toAbsolutePath().normalize();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Calls the handler once per line of stdin ({@code METHOD PATH}), one JSON answer a line. */
  private static final String DRIVER =
      """
      import json, sys
      import handler
      class Request:
          def __init__(self, method, path):
              self.method, self.path = method, path
      for line in sys.stdin:
          method, path = line.split()
          print(json.dumps(handler.handle(Request(method, path))), flush=True)
      """;

  /** One instance of the function: a Python process running the handler. */
  private record Instance(Process process, Writer in, BufferedReader out) {
    static Instance start(Path socket, Path driver) throws IOException {
      var builder =
          new ProcessBuilder("python3", driver.toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().put("STOKE_STATE_SOCKET", socket.toString());
      builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      builder
          .environment()
          .put(
              "PYTHONPATH",
              FUNCTIONS.resolve("runtimes/python") + ":" + FUNCTIONS.resolve("leader"));
      var process = builder.start();
      return new Instance(
          process,
          process.outputWriter(StandardCharsets.UTF_8),
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
    }

    Map<String, Object> ask(String method, String path) throws IOException {
      in.write(method + " " + path + "\n");
      in.flush();
      var line = out.readLine();
      assertThat(line).as("the handler answered").isNotNull();
      return JSON.readValue(line, new TypeReference<Map<String, Object>>() {});
    }
  }

  @Test
  void oneInstanceLeadsAndTheOtherTakesOverWhenItResignsOrDies() throws Exception {
    var root = Files.createTempDirectory("state-leader");
    var driver = Files.writeString(Files.createTempFile("leader-driver", ".py"), DRIVER);
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      Files.createDirectories(root.resolve("leader"));
      var socket = root.resolve("leader").resolve(SocketListeners.SOCKET);
      Awaitility.await("the socket listens")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> UnixHttp.post(socket, "/v1/kv/list", Map.of()).status() == 200);
      var a = Instance.start(socket, driver);
      var b = Instance.start(socket, driver);
      try {
        var first = a.ask("GET", "/");
        assertThat(first).containsEntry("leading", true);
        var second = b.ask("GET", "/");
        assertThat(second)
            .containsEntry("leading", false)
            .containsEntry("leader", first.get("instance"));

        assertThat(a.ask("POST", "/resign")).containsEntry("leader", second.get("instance"));
        assertThat(b.ask("GET", "/")).containsEntry("leading", true);

        // The leader dies without closing its session: the other leads once it expires.
        b.process().destroyForcibly().waitFor();
        Awaitility.await("a leads once the dead leader's session expires")
            .atMost(Duration.ofMinutes(1))
            .until(() -> Boolean.TRUE.equals(a.ask("GET", "/").get("leading")));
      } finally {
        a.process().destroyForcibly();
        b.process().destroyForcibly();
      }
    }
  }
}
