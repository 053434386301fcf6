package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import io.stoke.state.support.UnixHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A function container hardened as the orchestrator makes it (uid 10001, no capabilities, no new
 * privileges, read-only root, no network) reaches its function's state through the mounted socket
 * folder, and nothing of another function's. Real Docker engine, image stoke-base/python.
 */
class ContainerSocketIT {

  private static final String IMAGE = "stoke-base/python:bookworm";
  private static final String CLIENT =
      """
      import http.client, json, os, socket
      class Unix(http.client.HTTPConnection):
          def __init__(self, path):
              super().__init__("localhost")
              self.path_ = path
          def connect(self):
              self.sock = socket.socket(socket.AF_UNIX)
              self.sock.connect(self.path_)
      def call(op, body):
          c = Unix(os.environ["STOKE_STATE_SOCKET"])
          c.request("POST", "/v1/" + op, json.dumps(body), {"Content-Type": "application/json"})
          r = c.getresponse()
          return r.status, json.loads(r.read())
      print("incr", call("kv/incr", {"key": "hits"})[1]["value"])
      print("other", call("kv/get", {"key": "beta-secret"})[0])
      print("listing", sorted(os.listdir("/run/stoke-state")))
      try:
          socket.create_connection(("1.1.1.1", 80), timeout=2)
          print("network yes")
      except OSError:
          print("network no")
      """;

  @Test
  void aHardenedContainerWithoutNetworkReachesOnlyItsFunctionsState() throws Exception {
    var root = Files.createTempDirectory("state-sockets");
    try (var redis = RedisServer.start();
        var state = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      Files.createDirectories(root.resolve("alpha"));
      Files.createDirectories(root.resolve("beta"));
      var beta = root.resolve("beta").resolve(SocketListeners.SOCKET);
      Awaitility.await("both sockets listen")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () ->
                  UnixHttp.post(beta, "/v1/kv/put", Map.of("key", "beta-secret", "value", "b"))
                              .status()
                          == 200
                      && state.bean(SocketListeners.class).listening().contains("alpha"));
      var output = runHardened(root.resolve("alpha").toString());
      assertThat(output).contains("incr 1", "other 404", "listing ['state.sock']", "network no");
      assertThat(state.client().call("alpha", "kv/get", Map.of("key", "hits")).get("value"))
          .isEqualTo("1");
    }
  }

  private static String runHardened(String folder) throws Exception {
    var command = new ArrayList<>(List.of("docker", "run", "--rm"));
    command.addAll(HardenedRun.flags(folder));
    command.addAll(List.of(IMAGE, "python3", "-c", CLIENT));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("docker run finished").isTrue();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
