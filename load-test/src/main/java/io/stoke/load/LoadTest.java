package io.stoke.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** {@code ./stoke load}: drives traffic at a function and reports how the platform scaled. */
public final class LoadTest {

  private LoadTest() {}

  public static void main(String[] args) throws Exception {
    LoadOptions options;
    try {
      var stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      options = LoadOptions.parse(args, ".stoke/reports/load-FUNCTION-" + stamp);
    } catch (IllegalArgumentException e) {
      System.err.println("stoke load: " + e.getMessage());
      System.err.print(LoadOptions.USAGE);
      System.exit(2);
      return;
    }
    System.exit(run(options));
  }

  static int run(LoadOptions options) throws Exception {
    var client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    var problem = preflight(client, options.gateway());
    if (problem != null) {
      System.err.println("stoke load: " + problem);
      return 1;
    }
    var recorder = new Recorder();
    try (var sampler = new InstanceSampler(options.redisUrl(), options.function())) {
      long start = System.nanoTime();
      var driver = new LoadDriver(options, recorder, client, start);
      var progress = Executors.newSingleThreadScheduledExecutor();
      progress.scheduleAtFixedRate(
          () -> printProgress(options, recorder, sampler, driver, start), 1, 1, TimeUnit.SECONDS);
      System.out.println("Sending load to " + options.target() + " — " + describe(options));
      driver.run();
      long observeUntil = System.nanoTime() + options.observe().toNanos();
      while (System.nanoTime() < observeUntil) {
        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
      }
      progress.shutdownNow();
      var report =
          new Report(options, recorder, sampler, Duration.ofNanos(System.nanoTime() - start));
      System.out.println();
      System.out.print(report.text());
      var html = report.write(options.out());
      System.out.println("Report: " + html.toAbsolutePath());
      if (recorder.total().getTotalCount() > 0
          && recorder.failures() == recorder.total().getTotalCount()) {
        System.err.println("stoke load: every request failed — see the status line above");
        return 1;
      }
      return 0;
    }
  }

  private static String describe(LoadOptions o) {
    return o.profile().shape().name().toLowerCase(Locale.ROOT)
        + " profile for "
        + o.profile().duration().toSeconds()
        + " s, "
        + (o.openModel()
            ? "open model at up to " + o.rate().orElseThrow() + " req/s"
            : "closed model with up to " + o.concurrency() + " clients");
  }

  /** Null when the gateway answers; otherwise what is wrong, said plainly. */
  static String preflight(HttpClient client, URI gateway) {
    try {
      var request =
          HttpRequest.newBuilder(gateway.resolve("/actuator/health"))
              .timeout(Duration.ofSeconds(5))
              .build();
      var response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return "the gateway at "
            + gateway
            + " is not healthy (HTTP "
            + response.statusCode()
            + "): "
            + response.body();
      }
      return null;
    } catch (ConnectException e) {
      return "nothing answers at "
          + gateway
          + " (connection refused). Is the platform up? Start it with ./stoke up";
    } catch (IOException e) {
      return "the gateway at " + gateway + " does not answer: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static void printProgress(
      LoadOptions options,
      Recorder recorder,
      InstanceSampler sampler,
      LoadDriver driver,
      long start) {
    int second = (int) ((System.nanoTime() - start) / 1_000_000_000L) - 1;
    if (second < 0) {
      return;
    }
    var counts = sampler.sample(second + 1);
    var s = recorder.second(second);
    String latency =
        s == null || s.latency.getTotalCount() == 0
            ? "p50 -  p99 -"
            : "p50 "
                + Report.ms(s.latency.getValueAtPercentile(50))
                + "  p99 "
                + Report.ms(s.latency.getValueAtPercentile(99));
    System.out.printf(
        Locale.ROOT,
        "%4ds  %6d req/s  %s  errors %d  in flight %d  instances %s%n",
        second + 1,
        s == null ? 0 : s.ok.sum() + s.failed.sum(),
        latency,
        s == null ? 0 : s.failed.sum(),
        driver.inFlight(),
        counts.map(Object::toString).orElse("? " + sampler.problem()));
  }
}
