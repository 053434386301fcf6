package io.stoke.orchestrator.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.definition.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Steps time forward by hand: the autoscaler reads no clock. */
class AutoscalerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** concurrency 10 x utilization 0.5 = 5 requests per instance. */
  private static ScalingPolicy policy(int min, int max, Duration scaleDownDelay, double maxRate) {
    return new ScalingPolicy(
        min,
        max,
        10,
        100,
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        0.5,
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        2.0,
        scaleDownDelay,
        maxRate);
  }

  private static final ScalingPolicy POLICY = policy(0, 50, Duration.ZERO, 10);

  /** Drives one function through time, one sample and one decision per second. */
  private static final class Run {
    final ScalingPolicy policy;
    final LoadHistory history = new LoadHistory();
    AutoscalerState state = AutoscalerState.INITIAL;
    int instances;
    Instant now = T0;
    ScaleDecision last;

    Run(ScalingPolicy policy, int instances) {
      this.policy = policy;
      this.instances = instances;
    }

    /** {@code seconds} ticks at {@code concurrency}; instances follow each decision. */
    Run load(double concurrency, int seconds) {
      for (int i = 0; i < seconds; i++) {
        now = now.plusSeconds(1);
        history.add(new LoadSample(now, concurrency), Duration.ofSeconds(20));
        last =
            Autoscaler.decide(new FunctionLoad(history.samples(), instances, state), policy, now);
        state = last.state();
        instances = last.desired();
      }
      return this;
    }
  }

  @Test
  void targetsConcurrencyDividedByPerInstanceCapacity() {
    var run = new Run(POLICY, 4).load(20, 15);

    assertThat(run.instances).isEqualTo(4);
    assertThat(run.state.panicking()).isFalse();
  }

  @Test
  void panicsAndScalesUpAtOnceWhenDemandDoublesCapacity() {
    var run = new Run(POLICY, 2).load(10, 12);
    assertThat(run.instances).isEqualTo(2);

    run.load(60, 1);

    assertThat(run.state.panicking()).isTrue();
    assertThat(run.last.reason()).startsWith("panic");
    // Over the 2 s panic window: (10 + 60) / 2 = 35 concurrent → 7 instances at once.
    assertThat(run.instances).isEqualTo(7);
    run.load(60, 1);
    assertThat(run.instances).isEqualTo(12);
  }

  @Test
  void neverScalesDownWhilePanicking() {
    var run = new Run(POLICY, 2).load(10, 12).load(60, 2);
    int peak = run.instances;

    run.load(0, 5);

    assertThat(run.state.panicking()).isTrue();
    assertThat(run.instances).isEqualTo(peak);
  }

  @Test
  void leavesPanicAStableWindowAfterTheLastTriggerAndThenScalesDown() {
    var run = new Run(POLICY, 2).load(10, 12).load(60, 2).load(5, 10);

    assertThat(run.state.panicking()).isFalse();
    run.load(5, 10);
    assertThat(run.instances).isEqualTo(1);
  }

  @Test
  void holdsSteadyUnderStableLoad() {
    var run = new Run(POLICY, 3).load(14, 30);

    assertThat(run.instances).isEqualTo(3);
  }

  @Test
  void scaleDownWaitsForTheDelay() {
    var run = new Run(policy(0, 50, Duration.ofSeconds(5), 10), 4).load(20, 12);
    assertThat(run.instances).isEqualTo(4);

    // The 10 s stable average first asks for fewer than 4 instances on the 4th second at the
    // lower load; that wish must then persist 5 s before it applies.
    run.load(5, 8);
    assertThat(run.instances).isEqualTo(4);
    assertThat(run.last.reason()).contains("scale-down delayed");

    run.load(5, 1);
    assertThat(run.instances).isEqualTo(2);
    run.load(5, 10);
    assertThat(run.instances).isEqualTo(1);
  }

  @Test
  void aLowerWishThatDoesNotPersistResetsTheDelay() {
    var p = policy(0, 50, Duration.ofSeconds(3), 10);
    var load =
        new FunctionLoad(java.util.List.of(new LoadSample(T0, 0)), 4, AutoscalerState.INITIAL);

    var lower = Autoscaler.decide(load, p, T0.plusSeconds(1));
    assertThat(lower.desired()).isEqualTo(4);
    assertThat(lower.state().lowerSince()).contains(T0.plusSeconds(1));

    var busy = new FunctionLoad(java.util.List.of(new LoadSample(T0, 20)), 4, lower.state());
    var again = Autoscaler.decide(busy, p, T0.plusSeconds(2));
    assertThat(again.state().lowerSince()).isEmpty();
  }

  @Test
  void doesNotAddInstancesOnALaggingAverageOnceDemandHasGone() {
    var run = new Run(POLICY, 4).load(20, 12).load(0, 2);
    // The idle rule drained three instances meanwhile; the 10 s average still says 20 x 8/10.
    run.instances = 1;

    run.load(0, 1);

    assertThat(run.instances).isEqualTo(1);
    assertThat(run.last.reason()).contains("no recent demand");
  }

  @Test
  void addsOneInstanceAtOnceWhenRequestsQueueNowAndNoneIsStarting() {
    var calm = List.of(new LoadSample(T0.plusSeconds(1), 0), new LoadSample(T0.plusSeconds(2), 0));

    var queueing =
        Autoscaler.decide(
            new FunctionLoad(calm, 1, 0, true, AutoscalerState.INITIAL), POLICY, T0.plusSeconds(2));
    var alreadyStarting =
        Autoscaler.decide(
            new FunctionLoad(calm, 2, 1, true, AutoscalerState.INITIAL), POLICY, T0.plusSeconds(2));
    var atMax =
        Autoscaler.decide(
            new FunctionLoad(calm, 3, 0, true, AutoscalerState.INITIAL),
            policy(0, 3, Duration.ZERO, 10),
            T0.plusSeconds(2));

    assertThat(queueing.desired()).isEqualTo(2);
    assertThat(queueing.reason()).contains("queueing now");
    assertThat(alreadyStarting.desired()).isEqualTo(2);
    assertThat(atMax.desired()).isEqualTo(3);
  }

  @Test
  void staysWithinMinAndMax() {
    var bounded = policy(2, 3, Duration.ZERO, 10);

    assertThat(new Run(bounded, 2).load(0, 15).instances).isEqualTo(2);
    var busy = new Run(bounded, 2).load(500, 5);
    assertThat(busy.instances).isEqualTo(3);
    assertThat(busy.last.reason()).contains("bounded to [2, 3]");
  }

  @Test
  void limitsHowFastInstancesAreAdded() {
    var slow = policy(0, 100, Duration.ZERO, 2);
    var run = new Run(slow, 1);

    run.load(400, 1);
    assertThat(run.instances).isEqualTo(2);
    assertThat(run.last.reason()).contains("maxScaleUpRate");
    run.load(400, 1);
    assertThat(run.instances).isEqualTo(4);
    run.load(400, 1);
    assertThat(run.instances).isEqualTo(8);
  }

  @Test
  void scalesFromZeroToOneOnTheFirstRequest() {
    var run = new Run(POLICY, 0).load(1, 1);

    assertThat(run.instances).isEqualTo(1);
  }

  @Test
  void scalesToZeroWithoutLoadWhenMinIsZero() {
    var run = new Run(POLICY, 2).load(3, 5).load(0, 15);

    assertThat(run.instances).isZero();
  }

  @Test
  void unlimitedConcurrencyAssumesAHundredPerInstance() {
    var unlimited =
        new ScalingPolicy(
            0,
            10,
            0,
            100,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            1.0,
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            2.0,
            Duration.ZERO,
            10);

    assertThat(new Run(unlimited, 1).load(150, 12).instances).isEqualTo(2);
  }

  @Test
  void averagesTheSamplesInsideTheWindowOnly() {
    var samples =
        java.util.List.of(
            new LoadSample(T0, 100),
            new LoadSample(T0.plusSeconds(8), 4),
            new LoadSample(T0.plusSeconds(10), 2));
    var load = new FunctionLoad(samples, 1, AutoscalerState.INITIAL);

    assertThat(load.averageOver(Duration.ofSeconds(10), T0.plusSeconds(10))).hasValue(3.0);
    assertThat(load.averageOver(Duration.ofSeconds(1), T0.plusSeconds(10))).hasValue(2.0);
    assertThat(load.averageOver(Duration.ofSeconds(1), T0.plusSeconds(20))).isEmpty();
  }

  @Test
  void historyKeepsOnlyWhatTheLongestWindowNeeds() {
    var history = new LoadHistory();
    for (int i = 0; i < 100; i++) {
      history.add(new LoadSample(T0.plusSeconds(i), i), Duration.ofSeconds(10));
    }

    assertThat(history.samples()).hasSize(11);
    assertThat(history.samples().getFirst().at()).isEqualTo(T0.plusSeconds(89));
  }

  @Test
  void holdsTheCountWhenNoLoadWasReportedOverTheStableWindow() {
    // Three instances served 20 concurrent; then Redis lost the load and nothing was reported.
    var reported = List.of(new LoadSample(T0, 20), new LoadSample(T0.plusSeconds(1), 20));
    var load = new FunctionLoad(reported, 3, AutoscalerState.INITIAL);

    var decision = Autoscaler.decide(load, POLICY, T0.plusSeconds(15));

    assertThat(decision.desired()).isEqualTo(3);
    assertThat(decision.reason()).contains("no load reported");
  }

  @Test
  void averagesTheReportedSamplesOnlyNotTheGapsBetweenThem() {
    // 15 concurrent reported at 1 s and 9 s, nothing between: 3 instances of 5, not fewer.
    var reported =
        List.of(new LoadSample(T0.plusSeconds(1), 15), new LoadSample(T0.plusSeconds(9), 15));
    var load = new FunctionLoad(reported, 3, AutoscalerState.INITIAL);

    assertThat(Autoscaler.decide(load, POLICY, T0.plusSeconds(10)).desired()).isEqualTo(3);
  }

  @Test
  void aScaleUpIsNotReversedUntilAStableWindowOfEvidenceFollowsIt() {
    // Two instances at 7 concurrent (2 of 5 each); requests queue now: a third at once.
    var history = new LoadHistory();
    for (int s = 1; s <= 10; s++) {
      history.add(new LoadSample(T0.plusSeconds(s), 7), Duration.ofSeconds(20));
    }
    var up = T0.plusSeconds(10);
    var queued =
        Autoscaler.decide(
            new FunctionLoad(history.samples(), 2, 0, true, AutoscalerState.INITIAL), POLICY, up);
    assertThat(queued.desired()).isEqualTo(3);

    // 5 ms later the next tick sees no queue; the stable average still asks for 2.
    var next = up.plusMillis(5);
    history.add(new LoadSample(next, 7), Duration.ofSeconds(20));
    var flip =
        Autoscaler.decide(
            new FunctionLoad(history.samples(), 3, 1, false, queued.state()), POLICY, next);
    assertThat(flip.desired()).isEqualTo(3);
    assertThat(flip.reason()).contains("waits a stable window after the last scale-up");

    var state = flip.state();
    var now = next;
    for (int s = 1; s <= 10; s++) {
      now = next.plusSeconds(s);
      history.add(new LoadSample(now, 7), Duration.ofSeconds(20));
      state = Autoscaler.decide(new FunctionLoad(history.samples(), 3, state), POLICY, now).state();
    }
    assertThat(
            Autoscaler.decide(new FunctionLoad(history.samples(), 3, state), POLICY, now).desired())
        .isEqualTo(2);
  }
}
