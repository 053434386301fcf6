package io.stoke.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** {@code ./stoke load}: drives traffic at a function and reports how the platform scaled. */
public final class LoadTest {

  private LoadTest() {}

  public static void main(String[] args) throws Exception {
    if (LoadOptions.wantsHelp(args)) {
      System.out.print(LoadOptions.USAGE);
      return;
    }
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
      var startedAt = ZonedDateTime.now();
      long start = System.nanoTime();
      var driver = new LoadDriver(options, recorder, client, start);
      sampler.sample(0);
      var progress = Executors.newSingleThreadScheduledExecutor();
      progress.scheduleAtFixedRate(
          new Progress(recorder, sampler, driver, System.out), 1, 1, TimeUnit.SECONDS);
      System.out.println("Sending load to " + options.target() + " — " + describe(options));
      driver.run();
      long observeUntil = System.nanoTime() + options.observe().toNanos();
      while (System.nanoTime() < observeUntil) {
        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
      }
      progress.shutdownNow();
      var report =
          new Report(
              options, recorder, sampler, startedAt, Duration.ofNanos(System.nanoTime() - start));
      System.out.println();
      System.out.print(report.text());
      var html = report.write(options.out());
      System.out.println("Report: " + html.toAbsolutePath());
      return verdict(recorder, System.err);
    }
  }

  /** 0 when every request got a 2xx answer; otherwise 1, with the reason written to {@code err}. */
  static int verdict(Recorder recorder, java.io.PrintStream err) {
    long count = recorder.total().getTotalCount();
    long failed = recorder.failures();
    if (count == 0) {
      err.println("stoke load: no request was sent");
      return 1;
    }
    if (failed > 0) {
      err.printf(
          Locale.ROOT,
          "stoke load: %d of %d requests failed (no 2xx answer): %s%n",
          failed,
          count,
          recorder.statuses());
      return 1;
    }
    return 0;
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
}
