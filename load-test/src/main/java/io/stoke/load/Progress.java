package io.stoke.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The console line printed once a second while the load runs. Each tick reports the next second by
 * count, not by reading the clock, so a tick that runs late (a busy machine, a slow registry read)
 * still prints its own second instead of repeating the next one.
 */
final class Progress implements Runnable {

  private final Recorder recorder;
  private final InstanceSampler sampler;
  private final LoadDriver driver;
  private final PrintStream out;
  private final AtomicInteger ticks = new AtomicInteger();

  Progress(Recorder recorder, InstanceSampler sampler, LoadDriver driver, PrintStream out) {
    this.recorder = recorder;
    this.sampler = sampler;
    this.driver = driver;
    this.out = out;
  }

  @Override
  public void run() {
    out.println(line(ticks.incrementAndGet()));
  }

  /** The line for the {@code n}-th second of the run (1-based), which covers second n - 1. */
  private String line(int n) {
    var counts = sampler.sample(n);
    var s = recorder.second(n - 1);
    String latency =
        s == null || s.latency.getTotalCount() == 0
            ? "p50 -  p99 -"
            : "p50 "
                + Report.ms(s.latency.getValueAtPercentile(50))
                + "  p99 "
                + Report.ms(s.latency.getValueAtPercentile(99));
    return String.format(
        Locale.ROOT,
        "%4ds  %6d req/s  %s  errors %d  in flight %d  instances %s",
        n,
        s == null ? 0 : s.ok.sum() + s.failed.sum(),
        latency,
        s == null ? 0 : s.failed.sum(),
        driver.inFlight(),
        counts.map(Object::toString).orElse("? " + sampler.problem()));
  }
}
