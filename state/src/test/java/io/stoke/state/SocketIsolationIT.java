package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import io.stoke.state.support.UnixHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Each function's Unix socket reaches that function's state and no other's. */
class SocketIsolationIT {

  @Test
  void aFunctionsSocketReachesOnlyItsOwnState() throws Exception {
    var root = Files.createTempDirectory("state-sockets");
    try (var redis = RedisServer.start();
        var state = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      Files.createDirectories(root.resolve("alpha"));
      Files.createDirectories(root.resolve("beta"));
      Path alpha = root.resolve("alpha").resolve(SocketListeners.SOCKET);
      Path beta = root.resolve("beta").resolve(SocketListeners.SOCKET);
      Awaitility.await("both sockets listen")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () ->
                  UnixHttp.post(beta, "/v1/kv/list", Map.of()).status() == 200
                      && UnixHttp.post(alpha, "/v1/kv/list", Map.of()).status() == 200);
      assertThat(Files.getPosixFilePermissions(alpha))
          .contains(PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ);

      var put = UnixHttp.post(alpha, "/v1/kv/put", Map.of("key", "secret", "value", "a"));
      assertThat(put.status()).isEqualTo(200);
      assertThat(UnixHttp.post(alpha, "/v1/kv/get", Map.of("key", "secret")).get("value"))
          .isEqualTo("a");
      assertThat(UnixHttp.post(beta, "/v1/kv/get", Map.of("key", "secret")).status())
          .isEqualTo(404);
      // On a socket the path cannot name another function.
      var crossing = UnixHttp.post(beta, "/v1/functions/alpha/kv/get", Map.of("key", "secret"));
      assertThat(crossing.status()).isEqualTo(404);
      assertThat(crossing.error()).isEqualTo("NotFound");
      assertThat(state.client().call("alpha", "kv/get", Map.of("key", "secret")).get("value"))
          .isEqualTo("a");

      Files.delete(beta);
      Files.delete(root.resolve("beta"));
      Awaitility.await("beta's listener stops with its folder")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !state.bean(SocketListeners.class).listening().contains("beta"));
    }
  }
}
