package io.stoke.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadTestTest {

  private HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void startFakeGateway() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/actuator/health",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.createContext(
        "/hello",
        exchange -> {
          int n = calls.incrementAndGet();
          exchange.getResponseHeaders().add("X-Stoke-Cold-Start", n == 1 ? "true" : "false");
          exchange.sendResponseHeaders(n % 10 == 0 ? 503 : 200, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private LoadOptions options(Path out, String... extra) {
    var args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "hello",
                "--gateway",
                "http://127.0.0.1:" + server.getAddress().getPort(),
                "--redis-url",
                "none",
                "--observe",
                "100ms",
                "--out",
                out.toString()));
    args.addAll(java.util.List.of(extra));
    return LoadOptions.parse(args.toArray(String[]::new), "unused");
  }

  @Test
  void anOpenModelRunSendsTheRateAndCountsStatusesAndColdStarts(@TempDir Path out)
      throws Exception {
    var options = options(out, "--rate", "200", "--duration", "1s", "--profile", "constant");

    int code = LoadTest.run(options);

    assertThat(code).as("some answers were 503").isEqualTo(1);
    assertThat(calls.get()).isBetween(190, 201);
    var summary = Files.readString(out.resolve("summary.txt"));
    assertThat(summary).contains("cold starts (X-Stoke-Cold-Start: true) 1").contains("503=");
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("<svg")
        .contains("Requests per second");
    assertThat(Files.readString(out.resolve("data.csv"))).startsWith("second,ok,failed");
  }

  @Test
  void aClosedModelRunKeepsItsClientsBusy(@TempDir Path out) throws Exception {
    int code =
        LoadTest.run(
            options(out, "--concurrency", "4", "--duration", "1s", "--profile", "constant"));

    assertThat(code).as("the fake gateway answers every tenth call with 503").isEqualTo(1);
    assertThat(calls.get()).isGreaterThan(10);
  }

  @Test
  void saysClearlyWhenNothingAnswers(@TempDir Path out) throws Exception {
    int port = server.getAddress().getPort();
    server.stop(0);
    var options =
        LoadOptions.parse(
            new String[] {"hello", "--gateway", "http://127.0.0.1:" + port, "--redis-url", "none"},
            out.toString());

    assertThat(LoadTest.preflight(java.net.http.HttpClient.newHttpClient(), options.gateway()))
        .contains("connection refused")
        .contains("./stoke up");
  }

  @Test
  void theStepProfileGoesUpInStepsThenComesDown() {
    var step = new Profile(Profile.Shape.STEP, Duration.ofSeconds(60));

    assertThat(step.levelAt(Duration.ofSeconds(1))).isEqualTo(0.25);
    assertThat(step.levelAt(Duration.ofSeconds(25))).isEqualTo(1.0);
    assertThat(step.levelAt(Duration.ofSeconds(45))).isEqualTo(0.5);
    assertThat(step.levelAt(Duration.ofSeconds(55))).isEqualTo(0.25);
    var ramp = new Profile(Profile.Shape.RAMP, Duration.ofSeconds(10));
    assertThat(ramp.levelAt(Duration.ofSeconds(5))).isEqualTo(0.5);
    var spike = new Profile(Profile.Shape.SPIKE, Duration.ofSeconds(60));
    assertThat(spike.levelAt(Duration.ofSeconds(30))).isEqualTo(1.0);
    assertThat(spike.levelAt(Duration.ofSeconds(5))).isEqualTo(0.1);
  }

  @Test
  void rejectsBadOptionsWithTheReason() {
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"hello", "--rate", "-1"}, "x"))
        .hasMessageContaining("--rate -1: must be a number");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"hello", "--profile", "zigzag"}, "x"))
        .hasMessageContaining("must be one of constant, step, ramp, spike");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--rate", "5"}, "x"))
        .hasMessageContaining("FUNCTION");
    assertThatThrownBy(
            () ->
                LoadOptions.parse(new String[] {"hello", "--rate", "5", "--concurrency", "2"}, "x"))
        .hasMessageContaining("exclude each other");
    assertThat(LoadOptions.parse(new String[] {"hello", "--body", "x"}, "x").method())
        .isEqualTo("POST");
    assertThat(LoadOptions.parse(new String[] {"hello"}, "x").redisUrl())
        .isEqualTo(Optional.of("redis://127.0.0.1:6379"));
  }

  @Test
  void theStepProfileSendsLoadForItsWholeDurationSoTheReportSaysTrue() {
    var step = new Profile(Profile.Shape.STEP, Duration.ofSeconds(60));

    for (int second = 0; second < 60; second++) {
      assertThat(step.levelAt(Duration.ofSeconds(second))).as("level at %d s", second).isPositive();
    }
  }

  @Test
  void everyAnswerThatIsNot2xxIsAFailureAndTheExitCodeSaysSo() {
    var recorder = new Recorder();
    for (int i = 0; i < 6; i++) {
      recorder.record(0, new Recorder.Outcome(404, "", false, 1_000));
    }
    recorder.record(0, new Recorder.Outcome(301, "", false, 1_000));
    recorder.record(0, new Recorder.Outcome(200, "", false, 1_000));
    var err = new java.io.ByteArrayOutputStream();

    int code = LoadTest.verdict(recorder, new java.io.PrintStream(err, true));

    assertThat(recorder.failures()).isEqualTo(7);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("7 of 8 requests failed").contains("404=6");
  }

  @Test
  void aRunWhereEveryAnswerIs2xxExitsZero() {
    var recorder = new Recorder();
    recorder.record(0, new Recorder.Outcome(200, "", false, 1_000));
    recorder.record(1, new Recorder.Outcome(204, "", false, 1_000));

    assertThat(LoadTest.verdict(recorder, System.err)).isZero();
    assertThat(recorder.failures()).isZero();
  }

  @Test
  void progressPrintsEachSecondOnceEvenWhenTicksComeLateAndBunched() {
    var options = LoadOptions.parse(new String[] {"hello", "--redis-url", "none"}, "x");
    var recorder = new Recorder();
    var driver = new LoadDriver(options, recorder, java.net.http.HttpClient.newHttpClient(), 0);
    var out = new java.io.ByteArrayOutputStream();
    try (var sampler = new InstanceSampler(Optional.empty(), "hello")) {
      var progress = new Progress(recorder, sampler, driver, new java.io.PrintStream(out, true));

      progress.run();
      progress.run();
      progress.run();
    }

    assertThat(out.toString().lines().map(l -> l.trim().split(" ")[0]))
        .containsExactly("1s", "2s", "3s");
  }

  @Test
  void helpIsAskedForWithDashHOrDashDashHelp() {
    assertThat(LoadOptions.wantsHelp(new String[] {"-h"})).isTrue();
    assertThat(LoadOptions.wantsHelp(new String[] {"hello", "--help"})).isTrue();
    assertThat(LoadOptions.wantsHelp(new String[] {"hello"})).isFalse();
    assertThat(LoadOptions.USAGE).contains("Exit code");
  }

  @Test
  void chartsScaleToANiceCeiling() {
    assertThat(Chart.niceCeiling(7)).isEqualTo(10);
    assertThat(Chart.niceCeiling(13)).isEqualTo(20);
    assertThat(Chart.niceCeiling(230)).isEqualTo(250);
  }
}
