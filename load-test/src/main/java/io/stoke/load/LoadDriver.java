package io.stoke.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends the load. The open model schedules each call at its intended time and measures latency from
 * that time, so a slow platform cannot slow the load down and hide its own slowness (coordinated
 * omission). The closed model runs a number of clients that each wait for their answer before
 * sending again.
 */
final class LoadDriver {

  /** Calls in flight beyond this are not sent but recorded as the client's own failure. */
  static final int MAX_IN_FLIGHT = 20_000;

  private final LoadOptions options;
  private final Recorder recorder;
  private final HttpClient client;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final long startNanos;

  LoadDriver(LoadOptions options, Recorder recorder, HttpClient client, long startNanos) {
    this.options = options;
    this.recorder = recorder;
    this.client = client;
    this.startNanos = startNanos;
  }

  int inFlight() {
    return inFlight.get();
  }

  /** Sends load for the profile's duration, then waits (bounded) for the calls still out. */
  void run() throws InterruptedException {
    if (options.openModel()) {
      runOpen(options.rate().orElseThrow());
    } else {
      runClosed(options.concurrency());
    }
    executor.shutdown();
    if (!executor.awaitTermination(2, TimeUnit.MINUTES)) {
      System.err.println("stoke load: calls still in flight after 2 minutes were abandoned");
      executor.shutdownNow();
    }
  }

  private void runOpen(double peakRate) {
    long duration = options.profile().duration().toNanos();
    long next = 0;
    while (next < duration) {
      double rate = options.profile().levelAt(Duration.ofNanos(next)) * peakRate;
      if (rate <= 0) {
        next += 10_000_000;
        continue;
      }
      parkUntil(startNanos + next);
      long intended = startNanos + next;
      if (inFlight.get() >= MAX_IN_FLIGHT) {
        recorder.record(second(intended), new Recorder.Outcome(0, "client-overloaded", false, 0));
      } else {
        inFlight.incrementAndGet();
        executor.execute(() -> call(intended));
      }
      next += (long) (1_000_000_000L / rate);
    }
  }

  private void runClosed(int peakClients) {
    long end = startNanos + options.profile().duration().toNanos();
    for (int i = 0; i < peakClients; i++) {
      int client = i;
      executor.execute(
          () -> {
            long now;
            while ((now = System.nanoTime()) < end) {
              double level = options.profile().levelAt(Duration.ofNanos(now - startNanos));
              if (client >= Math.ceil(level * peakClients)) {
                LockSupport.parkNanos(20_000_000);
                continue;
              }
              inFlight.incrementAndGet();
              call(now);
            }
          });
    }
  }

  private void call(long intendedNanos) {
    try {
      var builder =
          HttpRequest.newBuilder(options.target())
              .timeout(Duration.ofMinutes(10))
              .method(
                  options.method(),
                  options
                      .body()
                      .map(HttpRequest.BodyPublishers::ofString)
                      .orElse(HttpRequest.BodyPublishers.noBody()));
      var response = client.send(builder.build(), HttpResponse.BodyHandlers.discarding());
      boolean cold =
          response.headers().firstValue("X-Stoke-Cold-Start").map("true"::equals).orElse(false);
      record(intendedNanos, response.statusCode(), "", cold);
    } catch (ConnectException e) {
      record(intendedNanos, 0, "connection-refused", false);
    } catch (HttpTimeoutException e) {
      record(intendedNanos, 0, "client-timeout", false);
    } catch (IOException e) {
      record(intendedNanos, 0, "io-error(" + e.getClass().getSimpleName() + ")", false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      record(intendedNanos, 0, "interrupted", false);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void record(long intendedNanos, int status, String error, boolean cold) {
    long micros = (System.nanoTime() - intendedNanos) / 1_000;
    recorder.record(second(intendedNanos), new Recorder.Outcome(status, error, cold, micros));
  }

  private int second(long nanos) {
    return (int) ((nanos - startNanos) / 1_000_000_000L);
  }

  private static void parkUntil(long deadlineNanos) {
    long wait;
    while ((wait = deadlineNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
