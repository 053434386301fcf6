package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import io.stoke.state.support.UnixHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** {@code ./stoke state get|put|ls|watch} run as processes against a real state service. */
class StateCliIT {

  private static final Path STOKE = Path.of("..", "stoke").toAbsolutePath().normalize();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What a run of the CLI printed and its exit code. */
  record Run(int exit, String out, String err) {
    Map<String, Object> json() {
      return JSON.readValue(out, new TypeReference<Map<String, Object>>() {});
    }
  }

  private static Run stoke(int port, String... args) throws Exception {
    var command = new ArrayList<>(List.of("bash", STOKE.toString(), "state"));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command);
    builder.environment().put("STOKE_STATE_PORT", Integer.toString(port));
    var process = builder.start();
    var out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    var err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the CLI ended").isTrue();
    return new Run(process.exitValue(), out.get().strip(), err.get().strip());
  }

  private static String read(java.io.InputStream stream) {
    try {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theVerbsReadWriteAndListKeysAndNodesAsJson() throws Exception {
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0)) {
      int port = service.port();
      assertThat(stoke(port, "put", "demo", "greeting", "say \"hi\"\n\tbye").exit()).isZero();
      var got = stoke(port, "get", "demo", "greeting");
      assertThat(got.exit()).isZero();
      assertThat(got.json()).containsEntry("value", "say \"hi\"\n\tbye");

      assertThat(stoke(port, "put", "demo", "/cfg", "one").exit()).isZero();
      assertThat(stoke(port, "put", "demo", "/cfg", "two").exit()).isZero();
      assertThat(stoke(port, "get", "demo", "/cfg").json()).containsEntry("data", "two");
      assertThat(stoke(port, "ls", "demo", "/").json().get("children")).isEqualTo(List.of("cfg"));
      var keys = stoke(port, "ls", "demo");
      assertThat(keys.exit()).isZero();
      assertThat((List<?>) keys.json().get("items")).hasSize(1);
      assertThat(service.client().call("demo", "kv/get", Map.of("key", "greeting")).get("value"))
          .isEqualTo("say \"hi\"\n\tbye");
    }
  }

  @Test
  void errorsAnswerJsonAndTheirOwnExitCodes() throws Exception {
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0)) {
      int port = service.port();
      var missing = stoke(port, "get", "demo", "nokey");
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.json()).containsEntry("error", "NoKey");
      assertThat(missing.err()).contains("404");
      var badName = stoke(port, "get", "Not_A_Function", "k");
      assertThat(badName.exit()).isEqualTo(1);
      assertThat(badName.json()).containsEntry("error", "BadArguments");
      var usage = stoke(port, "get", "demo");
      assertThat(usage.exit()).isEqualTo(2);
      assertThat(usage.err()).contains("get takes FUNCTION PATH");
      assertThat(stoke(port, "frob").err()).contains("one of: get, put, ls, watch");
      assertThat(stoke(port, "ls", "demo", "--ttl-ms", "5").exit()).isEqualTo(2);
      for (var verb : List.of("get", "put", "ls", "watch")) {
        var help = stoke(port, verb, "-h");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: ./stoke state " + verb);
      }
    }
    var nobody = stoke(1, "get", "demo", "k");
    assertThat(nobody.exit()).isEqualTo(3);
    assertThat(nobody.err()).contains("no state service answers on 127.0.0.1:1");
  }

  @Test
  void watchPrintsTheFirstEventOrExitsFourWhenNothingHappens() throws Exception {
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0)) {
      int port = service.port();
      var client = service.client();
      client.call(
          "demo", "coord/create", Map.of("path", "/jobs", "data", "", "mode", "persistent"));
      var watching =
          CompletableFuture.supplyAsync(() -> run(port, "watch", "demo", "/jobs", "--children"));
      var redisOfService = service.bean(UnifiedJedis.class);
      Awaitility.await("the CLI's children watch is set")
          .atMost(Duration.ofMinutes(1))
          .until(() -> redisOfService.scard("stoke:state:zk:demo:wc:/jobs") == 1);
      client.call(
          "demo", "coord/create", Map.of("path", "/jobs/j1", "data", "", "mode", "persistent"));
      var fired = watching.get();
      assertThat(fired.exit()).isZero();
      assertThat(fired.json()).containsEntry("fired", true);
      assertThat(fired.json().get("event"))
          .isInstanceOfSatisfying(
              Map.class,
              event -> {
                assertThat(event.get("type")).isEqualTo("NodeChildrenChanged");
                assertThat(event.get("path")).isEqualTo("/jobs");
              });

      var quiet = stoke(port, "watch", "demo", "/jobs", "--timeout", "1");
      assertThat(quiet.exit()).isEqualTo(4);
      assertThat(quiet.json()).containsEntry("fired", false);
    }
  }

  @Test
  void aFunctionSocketCannotReachTheAdminOperations() throws Exception {
    var root = Files.createTempDirectory("state-admin");
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      Files.createDirectories(root.resolve("demo"));
      var socket = root.resolve("demo").resolve(SocketListeners.SOCKET);
      var body = Map.of("path", "/", "timeoutMs", 0);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> UnixHttp.post(socket, "/admin/v1/functions/demo/watch", body).status() == 404);
      assertThat(UnixHttp.post(socket, "/v1/admin/watch", body).error()).isEqualTo("NotFound");
      var overTcp =
          service
              .client()
              .raw("/admin/v1/functions/demo/watch", "{\"path\":\"/\",\"timeoutMs\":0}");
      assertThat(overTcp.status()).isEqualTo(200);
      assertThat(overTcp.get("fired")).isEqualTo(false);
    }
  }

  private static Run run(int port, String... args) {
    try {
      return stoke(port, args);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
