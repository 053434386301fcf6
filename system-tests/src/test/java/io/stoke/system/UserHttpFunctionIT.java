package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An http-mode function a user registers through the API, with every service a real process: the
 * orchestrator publishes it under its internal name, the gateway serves its owner's invocations
 * through the function path (cold start included) and hides it from everyone else, and deleting it
 * drains its instances.
 */
class UserHttpFunctionIT {

  static final String DEFINITIONS =
      """
      functions:
        - name: hello
          runtime: python
          source: hello
          handler: handler.py
          version: "user-http-it"
      """;

  /** The image the orchestrator builds for hello above. */
  static final String HELLO = "stoke-fn/hello:user-http-it";

  static final String PASSWORD = "correct horse battery staple";

  @TempDir static Path dir;
  static Platform platform;
  static final HttpClient client =
      HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();

  @BeforeAll
  static void start() throws Exception {
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    platform =
        Platform.startWithApi(
            definitions, "user-http-function", List.of("--stoke.registrations-per-minute=1000"));
    await("hello served through the gateway")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> call("GET", "/hello", null, null).statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void theOwnerInvokesARegisteredHttpFunctionThroughTheGatewayAndNobodyElseReachesIt()
      throws Exception {
    var alice = newUser("alice");
    var bob = newUser("bob");
    var internal = "u-" + alice.name() + "-greet";

    var registered =
        call(
            "POST",
            "/api/v1/functions",
            alice.key(),
            Json.write(Map.of("name", "greet", "image", HELLO, "mode", "http", "port", 8080)));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    assertThat(json(registered)).containsEntry("mode", "http").containsEntry("port", 8080);

    // Until the orchestrator published it and the gateway follows, the api-server answers 503.
    var first =
        await("the gateway serves " + internal)
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> call("POST", "/api/v1/functions/greet/invoke", alice.key(), "{}"),
                response -> response.statusCode() != 503);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(json(first)).containsEntry("Hello", "World");
    assertThat(first.headers().firstValue("X-Stoke-Cold-Start")).hasValue("true");
    assertThat(first.headers().firstValue("X-Stoke-Instance")).isPresent();
    var warm = call("POST", "/api/v1/functions/greet/invoke", alice.key(), "{}");
    assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
    assertThat(warm.headers().firstValue("X-Stoke-Cold-Start")).hasValue("false");

    assertThat(call("POST", "/api/v1/functions/greet/invoke", bob.key(), "{}").statusCode())
        .isEqualTo(404);
    var anonymous = call("POST", "/api/v1/functions/greet/invoke", null, "{}");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(call("GET", "/" + internal, null, null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/" + internal, alice.key(), null).statusCode()).isEqualTo(404);
    assertThat(platform.redis().hlen(RedisKeys.instances(internal))).isPositive();

    var deleted = call("DELETE", "/api/v1/functions/greet", alice.key(), null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    await("the instances of " + internal + " drained away")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                !platform.redis().hexists(RedisKeys.FUNCTIONS, internal)
                    && platform.redis().hlen(RedisKeys.instances(internal)) == 0
                    && managedContainers(internal).isEmpty());
    var gone = call("POST", "/api/v1/functions/greet/invoke", alice.key(), "{}");
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(404);
  }

  @Test
  void anExecFunctionIsNotPublishedAsAnHttpFunction() throws Exception {
    var carol = newUser("carol");
    var registered =
        call(
            "POST",
            "/api/v1/functions",
            carol.key(),
            Json.write(Map.of("name", "batch", "image", HELLO, "mode", "exec")));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    var http =
        call(
            "POST",
            "/api/v1/functions",
            carol.key(),
            Json.write(Map.of("name", "web", "image", HELLO, "mode", "http")));
    assertThat(http.statusCode()).as(http.body()).isEqualTo(201);

    await("the http function published")
        .atMost(Duration.ofSeconds(30))
        .until(() -> platform.redis().hexists(RedisKeys.FUNCTIONS, "u-" + carol.name() + "-web"));
    assertThat(platform.redis().hexists(RedisKeys.FUNCTIONS, "u-" + carol.name() + "-batch"))
        .isFalse();
  }

  // ---------------------------------------------------------------------------------------------

  record User(String name, String key) {}

  static int users;

  static synchronized User newUser(String prefix) throws Exception {
    var name = prefix + (++users);
    var created =
        call("POST", "/api/v1/users", null, Json.write(Map.of("name", name, "password", PASSWORD)));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    var token =
        call(
            "POST", "/api/v1/tokens", null, Json.write(Map.of("name", name, "password", PASSWORD)));
    assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
    return new User(name, (String) json(token).get("key"));
  }

  static HttpResponse<String> call(String method, String path, String key, String body)
      throws Exception {
    var builder =
        HttpRequest.newBuilder(URI.create(platform.gateway() + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(HttpResponse<String> response) {
    return new LinkedHashMap<String, Object>(Json.read(response.body(), Map.class));
  }

  static List<String> managedContainers(String function) {
    return Docker.run(
            List.of("docker", "ps", "-aq", "--filter", "label=io.stoke.function=" + function), 30)
        .lines()
        .filter(line -> !line.isBlank())
        .toList();
  }
}
