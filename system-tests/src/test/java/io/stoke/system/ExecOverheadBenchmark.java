package io.stoke.system;

import io.stoke.common.contract.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What an exec activation costs beyond the container itself: the latency of {@code POST
 * /api/v1/functions/{name}/invoke} through the gateway (API key check, api-server, Redis stream,
 * orchestrator, fresh hardened container, stdin → stdout, removal) against a bare {@code docker run
 * -i --rm --network none} of the same image with the same input, measured alternately in the same
 * run. Prints both distributions and the difference of the medians; asserts nothing.
 */
public final class ExecOverheadBenchmark {

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

  static final String IMAGE = "stoke-examples/upper:1.0";
  static final String INPUT = "hello, benchmark";
  static final String PASSWORD = "correct horse battery staple";

  private ExecOverheadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = Math.max(10, args.length > 0 ? Integer.parseInt(args[0]) : 10);
    var dir = Files.createTempDirectory("stoke-exec-bench");
    var definitions = dir.resolve("definitions.yml");
    Files.writeString(definitions, DEFINITIONS);
    try (var platform =
        Platform.startWithApi(
            definitions, "exec-benchmark", List.of("--stoke.registrations-per-minute=1000"))) {
      var http = HttpClient.newHttpClient();
      var key = userKey(http, platform.gateway());
      var registered =
          send(
              http,
              platform.gateway(),
              "POST",
              "/api/v1/functions",
              key,
              Json.write(Map.of("name", "upper", "image", IMAGE)));
      require(registered, 201);
      // Warm both paths once (JIT, page cache of the image layers) before measuring.
      activation(http, platform.gateway(), key);
      bareRun();
      var stoke = new ArrayList<Double>();
      var bare = new ArrayList<Double>();
      for (int i = 0; i < runs; i++) {
        stoke.add(activation(http, platform.gateway(), key));
        bare.add(bareRun());
      }
      report(runs, stoke, bare);
    }
    System.exit(0);
  }

  static void report(int runs, List<Double> stoke, List<Double> bare) {
    double stokeP50 = percentile(stoke, 50);
    double bareP50 = percentile(bare, 50);
    System.out.println("## Exec activation vs bare docker run -i --rm (" + runs + " runs each)");
    System.out.printf(
        Locale.ROOT,
        "  through the gateway (invoke): p50 %6.1f ms  p90 %6.1f ms  runs %s%n",
        stokeP50,
        percentile(stoke, 90),
        fmt(stoke));
    System.out.printf(
        Locale.ROOT,
        "  bare docker run -i --rm:      p50 %6.1f ms  p90 %6.1f ms  runs %s%n",
        bareP50,
        percentile(bare, 90),
        fmt(bare));
    System.out.printf(
        Locale.ROOT,
        "  overhead of Stoke at p50: %+.1f ms (ratio %.2f)%n",
        stokeP50 - bareP50,
        stokeP50 / bareP50);
  }

  /** Milliseconds for one invocation through the gateway, checked for the right result. */
  static double activation(HttpClient http, URI gateway, String key) throws Exception {
    long start = System.nanoTime();
    var response = send(http, gateway, "POST", "/api/v1/functions/upper/invoke", key, INPUT);
    double ms = (System.nanoTime() - start) / 1e6;
    require(response, 200);
    if (!response.body().equals(INPUT.toUpperCase(Locale.ROOT))) {
      throw new IllegalStateException("unexpected result: " + response.body());
    }
    return ms;
  }

  /** Milliseconds for {@code docker run -i --rm} of the same image with the same input. */
  static double bareRun() throws IOException, InterruptedException {
    var errors = Files.createTempFile("bare-run", ".err");
    long start = System.nanoTime();
    var process =
        new ProcessBuilder(
                "docker",
                "run",
                "-i",
                "--rm",
                "--network",
                "none",
                // Marked unmanaged, whatever labels the image may carry, so no clean-up of
                // managed containers takes this run for one of its own.
                "--label",
                "io.stoke.managed=false",
                IMAGE)
            .redirectError(errors.toFile())
            .start();
    try (var stdin = process.getOutputStream()) {
      stdin.write(INPUT.getBytes(StandardCharsets.UTF_8));
    }
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(
          "docker run " + IMAGE + " failed: " + Files.readString(errors) + " output: " + output);
    }
    Files.delete(errors);
    double ms = (System.nanoTime() - start) / 1e6;
    if (!output.equals(INPUT.toUpperCase(Locale.ROOT))) {
      throw new IllegalStateException("unexpected bare output: " + output);
    }
    return ms;
  }

  static String userKey(HttpClient http, URI gateway) throws Exception {
    var credentials = Json.write(Map.of("name", "bench", "password", PASSWORD));
    require(send(http, gateway, "POST", "/api/v1/users", null, credentials), 201);
    var token = send(http, gateway, "POST", "/api/v1/tokens", null, credentials);
    require(token, 201);
    return (String) Json.read(token.body(), Map.class).get("key");
  }

  static HttpResponse<String> send(
      HttpClient http, URI gateway, String method, String path, String key, String body)
      throws Exception {
    var builder =
        HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(Duration.ofSeconds(60))
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    builder.header("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void require(HttpResponse<String> response, int status) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(
          response.request().uri() + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  static double percentile(List<Double> values, int p) {
    return PlatformBenchmark.percentile(values, p);
  }

  static String fmt(List<Double> values) {
    return PlatformBenchmark.fmt(values);
  }
}
