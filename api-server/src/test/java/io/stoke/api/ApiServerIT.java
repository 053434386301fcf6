package io.stoke.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.ActivationOutcome;
import io.stoke.common.contract.ActivationRequest;
import io.stoke.common.contract.ActivationResult;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.testing.ManagementEndpoints;
import io.stoke.common.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import redis.clients.jedis.RedisClient;
import tools.jackson.databind.json.JsonMapper;

/** The api-server against a real redis-server, called as the gateway calls it. */
class ApiServerIT {

  static final String SECRET = "it-secret";
  static final String METRICS_TOKEN = "api-metrics-token";
  static RedisServer redisServer;
  static ConfigurableApplicationContext context;
  static int port;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final JsonMapper JSON = JsonMapper.builder().build();

  @BeforeAll
  static void start() throws Exception {
    redisServer = RedisServer.start();
    port = RedisServer.freePort();
    context =
        new SpringApplicationBuilder(ApiServerApplication.class)
            .run(
                "--server.port=" + port,
                "--stoke.redis-url=" + redisServer.url(),
                "--stoke.internal-secret=" + SECRET,
                "--stoke.metrics-token=" + METRICS_TOKEN,
                "--stoke.registrations-per-minute=1000",
                "--stoke.exec.max-parallel=10",
                "--stoke.exec.max-parallel-per-function=2");
  }

  @AfterAll
  static void stop() {
    context.close();
    redisServer.close();
  }

  static HttpResponse<String> call(String method, String path, String user, String body)
      throws Exception {
    var builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (user != null) {
      builder.header("X-Stoke-User", user).header("X-Stoke-Gateway-Secret", SECRET);
    }
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusOnlyToTheHolderOfTheMetricsToken() throws Exception {
    ManagementEndpoints.assertPrometheusBehindToken(port, METRICS_TOKEN);
  }

  @Test
  void registersAUserAndIssuesAKeyStoredOnlyAsAHash() throws Exception {
    var registered =
        call(
            "POST",
            "/api/v1/users",
            null,
            "{\"name\":\"carol\",\"password\":\"correct horse battery\"}");
    assertThat(registered.statusCode()).isEqualTo(201);

    var token =
        call(
            "POST",
            "/api/v1/tokens",
            null,
            "{\"name\":\"carol\",\"password\":\"correct horse battery\"}");

    assertThat(token.statusCode()).isEqualTo(201);
    var key = JSON.readTree(token.body()).path("key").asString();
    assertThat(key).matches("stk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
    try (var redis = RedisClient.create(URI.create(redisServer.url()))) {
      var stored = redis.hget(RedisKeys.API_KEYS, key.substring(4, 20));
      assertThat(stored).doesNotContain(key.substring(21)).contains("carol");
    }
  }

  @Test
  void explainsRejectedRegistrationsAsJsonErrors() throws Exception {
    var weak = call("POST", "/api/v1/users", null, "{\"name\":\"dave\",\"password\":\"short\"}");
    var badName =
        call(
            "POST",
            "/api/v1/users",
            null,
            "{\"name\":\"Dave!\",\"password\":\"long enough pass\"}");
    var unknownField =
        call(
            "POST",
            "/api/v1/users",
            null,
            "{\"name\":\"dave\",\"password\":\"long enough pass\",\"admin\":true}");

    assertThat(weak.statusCode()).isEqualTo(400);
    assertThat(weak.body())
        .contains("\"error\":\"password must be 12 to 72")
        .contains("\"status\":400");
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(badName.body()).contains("name = Dave!");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(unknownField.body()).contains("admin");
  }

  @Test
  void refusesAReadinessPathThatIsNotAPathOrHasNoServerToProbe() throws Exception {
    var notAPath =
        call(
            "POST",
            "/api/v1/functions",
            "erin",
            "{\"name\":\"web\",\"image\":\"x/y:1\",\"mode\":\"http\","
                + "\"readinessPath\":\"healthz now\"}");
    var exec =
        call(
            "POST",
            "/api/v1/functions",
            "erin",
            "{\"name\":\"job\",\"image\":\"x/y:1\",\"readinessPath\":\"/healthz\"}");

    assertThat(notAPath.statusCode()).isEqualTo(400);
    assertThat(notAPath.body()).contains("readinessPath = healthz now").contains("/healthz");
    assertThat(exec.statusCode()).isEqualTo(400);
    assertThat(exec.body()).contains("readinessPath is for mode http");
  }

  @Test
  void refusesIdentityThatDidNotComeFromTheGateway() throws Exception {
    var forged =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/functions"))
                .header("X-Stoke-User", "alice")
                .header("X-Stoke-Gateway-Secret", "guess")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(forged.statusCode()).isEqualTo(401);
  }

  @Test
  void noSpellingOfAnInternalPathGetsPastTheSecret() throws Exception {
    for (var path :
        new String[] {
          "/internal/exec/upper",
          "/actuator/../internal/exec/upper",
          "/actuator/..;/internal/exec/upper",
          "/actuator/%2e%2e/internal/exec/upper",
          "/%69nternal/exec/upper",
          "//internal/exec/upper",
          "/internal;x/exec/upper"
        }) {
      var response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .POST(HttpRequest.BodyPublishers.ofString("hi"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      // 401 from the filter, or 400 where the server refuses the path itself: never the endpoint.
      assertThat(response.statusCode()).as(path).isIn(400, 401);
    }
  }

  @Test
  void rejectsTheActivationBeyondTheParallelLimitAtOnceWith429() throws Exception {
    try (var redis = RedisClient.create(URI.create(redisServer.url()))) {
      redis.hset(
          RedisKeys.userFunctions("erin"),
          "slow",
          "{\"name\":\"slow\",\"owner\":\"erin\",\"internalName\":\"u-erin-slow\","
              + "\"image\":\"x/y:1\",\"mode\":\"exec\",\"port\":8080,\"timeout\":\"2s\","
              + "\"memoryBytes\":67108864,\"cpus\":0.5,\"pids\":64,\"maxParallel\":2,"
              + "\"createdAt\":0}");
    }
    // No exec worker runs here: admitted calls wait for their result, so the limit stays reached.
    var calls = new ArrayList<CompletableFuture<Integer>>();
    for (int i = 0; i < 3; i++) {
      calls.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return call("POST", "/api/v1/functions/slow/invoke", "erin", "x").statusCode();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    var statuses = calls.stream().map(CompletableFuture::join).toList();

    assertThat(statuses).filteredOn(s -> s == 429).hasSize(1);
    assertThat(statuses).filteredOn(s -> s == 504).hasSize(2);
  }

  @Test
  void passesTheBodyAsSentToTheFunctionWhateverItsContentType() throws Exception {
    try (var redis = RedisClient.create(URI.create(redisServer.url()))) {
      redis.hset(
          RedisKeys.userFunctions("frank"),
          "up",
          "{\"name\":\"up\",\"owner\":\"frank\",\"internalName\":\"u-frank-up\","
              + "\"image\":\"x/y:1\",\"mode\":\"exec\",\"port\":8080,\"timeout\":\"5s\","
              + "\"memoryBytes\":67108864,\"cpus\":0.5,\"pids\":64,\"maxParallel\":2,"
              + "\"createdAt\":0}");
      // curl -d sends application/x-www-form-urlencoded; the input must not become "a b=&c=d".
      var call =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return HTTP.send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:" + port + "/api/v1/functions/up/invoke"))
                          .header("Content-Type", "application/x-www-form-urlencoded")
                          .header("X-Stoke-User", "frank")
                          .header("X-Stoke-Gateway-Secret", SECRET)
                          .POST(HttpRequest.BodyPublishers.ofString("a b&c=d"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      // Play the orchestrator's exec worker: take the request, answer with its input.
      var request =
          await("the activation request on the stream")
              .atMost(Duration.ofSeconds(10))
              .until(
                  () ->
                      redis.xrange(RedisKeys.ACTIVATIONS_STREAM, "-", "+").stream()
                          .map(
                              e -> Json.read(e.getFields().get("request"), ActivationRequest.class))
                          .filter(r -> r.function().equals("u-frank-up"))
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      assertThat(request.input()).isEqualTo("a b&c=d");
      redis.rpush(
          RedisKeys.activationResult(request.id()),
          Json.write(
              new ActivationResult(
                  request.id(), ActivationOutcome.SUCCEEDED, request.input(), 0, "", 1)));

      var response = call.join();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("a b&c=d");
    }
  }

  @Test
  void servesTheCommittedOpenApiDocumentMatchingTheRealMappings() throws Exception {
    var committed = Files.readString(Path.of("src/main/resources/openapi.json"));
    var served = call("GET", "/api/v1/openapi.json", null, null);
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(served.body())).isEqualTo(JSON.readTree(committed));

    var documented = new TreeSet<String>();
    var paths = JSON.readTree(committed).path("paths");
    for (var path : paths.propertyNames()) {
      for (var method : paths.path(path).propertyNames()) {
        documented.add(method.toUpperCase() + " " + path);
      }
    }
    var mapped = new TreeSet<String>();
    var mapping =
        context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
    mapping
        .getHandlerMethods()
        .keySet()
        .forEach(
            info -> {
              Set<String> patterns = info.getPatternValues();
              for (var pattern : patterns) {
                if (pattern.startsWith("/api/")) {
                  info.getMethodsCondition()
                      .getMethods()
                      .forEach(m -> mapped.add(m.name() + " " + pattern));
                }
              }
            });
    assertThat(mapped).isEqualTo(documented);
  }
}
