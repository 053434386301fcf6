package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management API through the gateway, with every service a real process, a real redis-server
 * and real activation containers: who may do what with which key, exec round trips and their
 * records, containers removed however a call ends, the parallel limit, and state that survives a
 * restart of every service.
 */
class ManagementApiIT {

  static final String DEFINITIONS =
      """
      functions:
        - name: upper
          runtime: image
          source: upper
          image: stoke-examples/upper:1.0
          mode: exec
          timeout: 30s
          resources: {memory: 32m, cpus: 0.5}
      """;

  static final String UPPER = "stoke-examples/upper:1.0";

  /** Sleeps as many seconds as its input says, then prints "slept". */
  static final String SLEEPER = "stoke-test/exec-sleep-stdin:it";

  /** Writes "boom" to stderr and exits 3. */
  static final String CRASHER = "stoke-test/exec-crash:it";

  static final String PASSWORD = "correct horse battery staple";
  static final AtomicInteger USERS = new AtomicInteger();

  @TempDir static Path dir;
  static Platform platform;
  static final HttpClient client =
      HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();

  @BeforeAll
  static void start() throws Exception {
    var base =
        Platform.baseImages().getOrDefault("STOKE_BASE_MINIMAL", "stoke-base/minimal:bookworm");
    build(SLEEPER, base, "[\"/bin/sh\",\"-c\",\"read s; sleep \\\"$s\\\"; echo slept\"]");
    build(CRASHER, base, "[\"/bin/sh\",\"-c\",\"echo boom >&2; exit 3\"]");
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    platform =
        Platform.startWithApi(
            definitions,
            "management-api",
            List.of("--stoke.registrations-per-minute=1000", "--stoke.exec.max-parallel=16"));
    // The orchestrator publishes the catalog after building upper's image from functions/upper.
    await("upper served through the gateway")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> call("POST", "/upper", null, "ready?").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  static void build(String tag, String base, String entrypoint) throws Exception {
    var context = Files.createTempDirectory(dir, "image");
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM " + base + "\nUSER 10001:10001\nENTRYPOINT " + entrypoint + "\n");
    Docker.run(List.of("docker", "build", "-q", "-t", tag, context.toString()), 120);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void eachOperationIsAllowedWithTheOwnersKeyAndHiddenFromAnyOtherKey() throws Exception {
    var alice = newUser("alice");
    var bob = newUser("bob");

    // register
    assertThat(register(alice.key(), "shout", UPPER, Map.of()).statusCode()).isEqualTo(201);
    // list: only the caller's own functions
    assertThat(names(call("GET", "/api/v1/functions", alice.key(), null))).containsExactly("shout");
    assertThat(names(call("GET", "/api/v1/functions", bob.key(), null))).isEmpty();
    // describe
    var described = call("GET", "/api/v1/functions/shout", alice.key(), null);
    assertThat(described.statusCode()).isEqualTo(200);
    assertThat(json(described)).containsEntry("owner", alice.name()).containsEntry("image", UPPER);
    assertThat(call("GET", "/api/v1/functions/shout", bob.key(), null).statusCode()).isEqualTo(404);
    // invoke
    var invoked = call("POST", "/api/v1/functions/shout/invoke", alice.key(), "mine");
    assertThat(invoked.statusCode()).as(invoked.body()).isEqualTo(200);
    assertThat(invoked.body()).isEqualTo("MINE");
    assertThat(call("POST", "/api/v1/functions/shout/invoke", bob.key(), "x").statusCode())
        .isEqualTo(404);
    // delete: another key cannot, and the function is still there afterwards
    assertThat(call("DELETE", "/api/v1/functions/shout", bob.key(), null).statusCode())
        .isEqualTo(404);
    assertThat(call("GET", "/api/v1/functions/shout", alice.key(), null).statusCode())
        .isEqualTo(200);
    // Registering the same name with another key makes that user's own function, not a takeover.
    assertThat(register(bob.key(), "shout", UPPER, Map.of()).statusCode()).isEqualTo(201);
    assertThat(json(call("GET", "/api/v1/functions/shout", alice.key(), null)))
        .containsEntry("owner", alice.name());
    assertThat(call("DELETE", "/api/v1/functions/shout", alice.key(), null).statusCode())
        .isEqualTo(204);
    assertThat(call("GET", "/api/v1/functions/shout", alice.key(), null).statusCode())
        .isEqualTo(404);
    assertThat(call("GET", "/api/v1/functions/shout", bob.key(), null).statusCode()).isEqualTo(200);
  }

  @Test
  void everyOperationRefusesAMissingMalformedOrRevokedKeyWith401() throws Exception {
    var carol = newUser("carol");
    assertThat(register(carol.key(), "kept", UPPER, Map.of()).statusCode()).isEqualTo(201);
    var second = createKey(carol.name());
    var revoked = call("DELETE", "/api/v1/tokens/" + second.get("id"), carol.key(), null);
    assertThat(revoked.statusCode()).isEqualTo(204);

    var keys = new ArrayList<String>();
    keys.add(null);
    keys.add("stk_not-a-key");
    keys.add((String) second.get("key"));
    for (var key : keys) {
      assertThat(register(key, "other", UPPER, Map.of()).statusCode())
          .as("register")
          .isEqualTo(401);
      for (var call :
          List.of(
              List.of("GET", "/api/v1/functions"),
              List.of("GET", "/api/v1/functions/kept"),
              List.of("POST", "/api/v1/functions/kept/invoke"),
              List.of("DELETE", "/api/v1/functions/kept"))) {
        var response = call(call.get(0), call.get(1), key, "x");
        assertThat(response.statusCode()).as(call + " with key " + key).isEqualTo(401);
        assertThat(json(response)).containsEntry("status", 401);
      }
    }
    // None of the refused calls changed anything.
    assertThat(names(call("GET", "/api/v1/functions", carol.key(), null))).containsExactly("kept");
  }

  @Test
  void anExecCallRoundTripsKeepsItsStderrAndLeavesNoContainer() throws Exception {
    var dave = newUser("dave");
    assertThat(register(dave.key(), "upper", UPPER, Map.of()).statusCode()).isEqualTo(201);

    var response = call("POST", "/api/v1/functions/upper/invoke", dave.key(), "hello");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("HELLO");
    var id = response.headers().firstValue("X-Stoke-Activation-Id").orElseThrow();
    assertThat(activationContainers("u-" + dave.name() + "-upper")).isEmpty();
    var record = awaitRecord(dave.key(), id);
    assertThat(record)
        .containsEntry("outcome", "SUCCEEDED")
        .containsEntry("exitCode", 0)
        .containsEntry("function", "u-" + dave.name() + "-upper");
    assertThat((String) record.get("logTail")).contains("upper: converted 5 bytes");
    // Another user cannot read the record.
    var eve = newUser("eve");
    assertThat(call("GET", "/api/v1/activations/" + id, eve.key(), null).statusCode())
        .isEqualTo(404);

    var yaml = call("POST", "/upper", null, "hello");
    assertThat(yaml.statusCode()).as(yaml.body()).isEqualTo(200);
    assertThat(yaml.body()).isEqualTo("HELLO");
    // curl -d sends a form content type: the input is still the body's bytes as they are.
    var form =
        client.send(
            HttpRequest.newBuilder(URI.create(platform.gateway() + "/upper"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("hello, world&a=b"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(form.body()).isEqualTo("HELLO, WORLD&A=B");
    assertThat(activationContainers("upper")).isEmpty();
  }

  @Test
  void timedOutAndCrashedCallsLeaveNoContainer() throws Exception {
    var frank = newUser("frank");
    assertThat(register(frank.key(), "slow", SLEEPER, Map.of("timeout", "2s")).statusCode())
        .isEqualTo(201);
    assertThat(register(frank.key(), "crash", CRASHER, Map.of()).statusCode()).isEqualTo(201);

    var slow = call("POST", "/api/v1/functions/slow/invoke", frank.key(), "30");
    assertThat(slow.statusCode()).as(slow.body()).isEqualTo(504);
    assertThat(json(slow)).containsEntry("outcome", "TIMED_OUT");
    assertThat(activationContainers("u-" + frank.name() + "-slow")).isEmpty();

    var crash = call("POST", "/api/v1/functions/crash/invoke", frank.key(), "x");
    assertThat(crash.statusCode()).as(crash.body()).isEqualTo(502);
    assertThat(json(crash)).containsEntry("outcome", "FAILED").containsEntry("exitCode", 3);
    assertThat(activationContainers("u-" + frank.name() + "-crash")).isEmpty();
    var record = awaitRecord(frank.key(), (String) json(crash).get("activationId"));
    assertThat((String) record.get("logTail")).contains("boom");
  }

  @Test
  void oneCallBeyondTheParallelLimitIsRefusedWith429NamingTheLimit() throws Exception {
    var grace = newUser("grace");
    int limit = 2;
    var registered =
        register(grace.key(), "nap", SLEEPER, Map.of("timeout", "20s", "maxParallel", limit));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);

    var calls = new ArrayList<CompletableFuture<HttpResponse<String>>>();
    for (int i = 0; i <= limit; i++) {
      calls.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return call("POST", "/api/v1/functions/nap/invoke", grace.key(), "4");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              Executors.newVirtualThreadPerTaskExecutor()));
    }
    var responses = calls.stream().map(CompletableFuture::join).toList();

    var statuses = responses.stream().map(HttpResponse::statusCode).sorted().toList();
    assertThat(statuses).as(platform.tail("api-server")).isEqualTo(List.of(200, 200, 429));
    var refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
    assertThat((String) json(refused).get("error"))
        .isEqualTo("limit of 2 parallel activations of function nap reached");
    assertThat(activationContainers("u-" + grace.name() + "-nap")).isEmpty();
  }

  @Test
  void usersKeysAndFunctionsSurviveARestartOfEveryService() throws Exception {
    var heidi = newUser("heidi");
    assertThat(register(heidi.key(), "loud", UPPER, Map.of()).statusCode()).isEqualTo(201);

    platform.restartServices();

    assertThat(names(call("GET", "/api/v1/functions", heidi.key(), null))).containsExactly("loud");
    var invoked = call("POST", "/api/v1/functions/loud/invoke", heidi.key(), "still here");
    assertThat(invoked.statusCode()).as(invoked.body()).isEqualTo(200);
    assertThat(invoked.body()).isEqualTo("STILL HERE");
    // The password still works: a new key can be created after the restart.
    assertThat(createKey(heidi.name())).containsKey("key");
  }

  // ---------------------------------------------------------------------------------------------

  record User(String name, String key) {}

  static User newUser(String prefix) throws Exception {
    var name = prefix + USERS.incrementAndGet();
    var created =
        call("POST", "/api/v1/users", null, Json.write(Map.of("name", name, "password", PASSWORD)));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new User(name, (String) createKey(name).get("key"));
  }

  static Map<String, Object> createKey(String name) throws Exception {
    var token =
        call(
            "POST", "/api/v1/tokens", null, Json.write(Map.of("name", name, "password", PASSWORD)));
    assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
    return json(token);
  }

  static HttpResponse<String> register(
      String key, String name, String image, Map<String, Object> settings) throws Exception {
    var body = new java.util.LinkedHashMap<String, Object>(settings);
    body.put("name", name);
    body.put("image", image);
    return call("POST", "/api/v1/functions", key, Json.write(body));
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
      // As curl -d sends it: the input must arrive as the body's bytes, not as parsed form fields.
      builder.header(
          "Content-Type",
          body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded");
    }
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(HttpResponse<String> response) {
    return Json.read(response.body(), Map.class);
  }

  static List<Object> names(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.read(response.body(), List.class).stream()
        .map(function -> ((Map<?, ?>) function).get("name"))
        .toList();
  }

  /** The record is written just after the result is handed back, so it may lag a moment. */
  static Map<String, Object> awaitRecord(String key, String id) throws Exception {
    var found = new ArrayList<Map<String, Object>>();
    await("activation record " + id)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              var response = call("GET", "/api/v1/activations/" + id, key, null);
              if (response.statusCode() == 200) {
                found.add(json(response));
                return true;
              }
              return false;
            });
    return found.getLast();
  }

  /** Containers, running or not, of one exec function's activations. */
  static List<String> activationContainers(String internalName) {
    return Docker.run(
            List.of(
                "docker", "ps", "-aq", "--filter", "label=io.stoke.exec-function=" + internalName),
            30)
        .lines()
        .filter(line -> !line.isBlank())
        .toList();
  }
}
