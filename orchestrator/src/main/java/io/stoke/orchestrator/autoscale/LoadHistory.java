package io.stoke.orchestrator.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The recent load samples of one function, kept as long as the longest window needs them (plus the
 * one sample just before it, which still holds at the window's start). Not thread-safe.
 */
public final class LoadHistory {

  private static final int MAX_SAMPLES = 4096;

  private final ArrayDeque<LoadSample> samples = new ArrayDeque<>();

  public void add(LoadSample sample, Duration keep) {
    var last = samples.peekLast();
    if (last != null && sample.at().isBefore(last.at())) {
      return;
    }
    samples.addLast(sample);
    var horizon = sample.at().minus(keep);
    while (samples.size() > 1 && !secondOldest().at().isAfter(horizon)) {
      samples.removeFirst();
    }
    while (samples.size() > MAX_SAMPLES) {
      samples.removeFirst();
    }
  }

  private LoadSample secondOldest() {
    var it = samples.iterator();
    it.next();
    return it.next();
  }

  public List<LoadSample> samples() {
    return new ArrayList<>(samples);
  }

  /** The newest sample's time, or {@link Instant#MIN} when empty. */
  public Instant latest() {
    var last = samples.peekLast();
    return last == null ? Instant.MIN : last.at();
  }
}
