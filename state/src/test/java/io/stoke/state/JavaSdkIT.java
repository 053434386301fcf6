package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoke.common.testing.RedisServer;
import io.stoke.runtime.JsonReader;
import io.stoke.runtime.State;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The Java runtime's SDK (io.stoke.runtime.State) against a real service over a function socket.
 */
class JavaSdkIT {

  @Test
  void theJavaSdkReadsAndWritesItsFunctionsState() throws Exception {
    var root = Files.createTempDirectory("state-sockets");
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      Files.createDirectories(root.resolve("jsdk"));
      var state = new State(root.resolve("jsdk").resolve(SocketListeners.SOCKET));
      Awaitility.await("the socket listens")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> state.get("nothing").isEmpty());

      long version = state.put("k", "one");
      assertThat(state.get("k")).contains(new State.Versioned("one", version));
      assertThat(state.cas("k", "two", version + 1000)).isEmpty();
      assertThat(state.cas("k", "two", version)).isPresent();
      assertThat(state.incr("n", 3)).isEqualTo(3);
      assertThat(state.incr("n", 4)).isEqualTo(7);
      assertThat(state.delete("k")).isTrue();
      assertThat(state.delete("k")).isFalse();

      assertThat(state.create("/app", "cfg", "persistent")).isEqualTo("/app");
      assertThat(state.create("/app/job-", "", "sequential")).isEqualTo("/app/job-0000000000");
      assertThat(state.children("/app")).isEqualTo(List.of("job-0000000000"));
      state.setNode("/app", "cfg2", 0);
      assertThat(state.getNode("/app")).contains("cfg2");
      assertThatThrownBy(() -> state.create("/app", "", "persistent"))
          .isInstanceOfSatisfying(
              State.StateException.class, e -> assertThat(e.code()).isEqualTo("NodeExists"));
      assertThatThrownBy(() -> state.setNode("/app", "x", 0))
          .isInstanceOfSatisfying(
              State.StateException.class, e -> assertThat(e.status()).isEqualTo(409));
      state.deleteNode("/app/job-0000000000", -1);
      assertThat(state.exists("/app/job-0000000000")).isFalse();
      assertThat(service.client().call("jsdk", "kv/get", Map.of("key", "n")).get("value"))
          .isEqualTo("7");
    }
  }

  @Test
  void theSdksJsonReaderReadsEveryKindOfValue() {
    var value =
        JsonReader.parse("{\"a\":[1,-2.5e3,true,false,null],\"b\":\"x\\n\\u00e9\\\"\",\"c\":{}}");
    assertThat(value)
        .isEqualTo(
            Map.of(
                "a", java.util.Arrays.asList(1L, -2500.0, true, false, null),
                "b", "x\n\u00e9\"",
                "c", Map.of()));
    assertThatThrownBy(() -> JsonReader.parse("{\"a\":1} x")).hasMessageContaining("offset");
  }
}
