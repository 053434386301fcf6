package io.stoke.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.contract.InternalSecret;
import io.stoke.common.testing.ManagementEndpoints;
import io.stoke.common.testing.RedisServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** The orchestrator's internal endpoints answer only Stoke's own services. */
class InternalEndpointsIT {

  static final String SECRET = "internal-endpoints-it";
  static final String METRICS_TOKEN = "orchestrator-metrics-token";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static RedisServer redis;
  static ConfigurableApplicationContext orchestrator;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    var definitions = Files.writeString(dir.resolve("functions.yml"), "functions: []\n");
    orchestrator =
        ItSupport.startOrchestrator(
            definitions,
            redis.url(),
            "--stoke.internal-secret=" + SECRET,
            "--stoke.metrics-token=" + METRICS_TOKEN);
    port = Integer.parseInt(orchestrator.getEnvironment().getProperty("local.server.port"));
  }

  @AfterAll
  static void stop() {
    orchestrator.close();
    redis.close();
  }

  static HttpResponse<String> checkImage(String image, String secret) throws Exception {
    return checkImage("/internal/images", image, secret);
  }

  static HttpResponse<String> checkImage(String path, String image, String secret)
      throws Exception {
    var request =
        HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:"
                    + port
                    + path
                    + "?ref="
                    + URLEncoder.encode(image, StandardCharsets.UTF_8)));
    if (secret != null) {
      request.header(InternalSecret.HEADER, secret);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusOnlyToTheHolderOfTheMetricsToken() throws Exception {
    ManagementEndpoints.assertPrometheusBehindToken(port, METRICS_TOKEN);
  }

  @Test
  void refusesACallWithoutTheInternalSecretBeforeTouchingTheEngine() throws Exception {
    // An image that would be pulled if the check ran: it must not be.
    var pullable = "stoke-never-pulled.invalid/nothing:1";
    for (var presented : new String[] {null, "", "wrong", SECRET + "x"}) {
      var response = checkImage(pullable, presented);

      assertThat(response.statusCode()).as("secret %s", presented).isEqualTo(401);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(response.body()).contains("\"status\":401").contains("internal secret");
    }
  }

  @Test
  void noSpellingOfThePathGetsPastTheSecret() throws Exception {
    var pullable = "stoke-never-pulled.invalid/nothing:1";
    for (var path :
        new String[] {
          "/%69nternal/images",
          "/internal;x/images",
          "/internal/images;x",
          "//internal/images",
          "/internal//images",
          "/actuator/../internal/images",
          "/actuator/..;/internal/images",
          "/internal/images/"
        }) {
      var response = checkImage(path, pullable, null);

      // 401 from the filter, or 400 where the server refuses the path itself: never the check.
      assertThat(response.statusCode()).as(path).isIn(400, 401);
    }
  }

  @Test
  void answersStokesOwnServices() throws Exception {
    var present = ItSupport.base().python();

    var response = checkImage(present, SECRET);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"available\":true").contains("\"source\":\"local\"");
  }

  @Test
  void leavesItsOtherEndpointsAlone() throws Exception {
    var health =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
  }
}
