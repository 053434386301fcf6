package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.SelectStrategy;
import io.stoke.gateway.SpinningEventLoops.Spin;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SpinningEventLoopsTest {

  private static final long MAX = 1_600_000;

  /** A clock that moves one microsecond per poll, so a spin's length is counted in polls. */
  private final AtomicLong now = new AtomicLong();

  private final AtomicBoolean tasksWaiting = new AtomicBoolean();
  private final Spin spin = new Spin(MAX, tasksWaiting::get, now::get);

  /** Polls that find nothing until {@code emptyPolls} ran, then {@code ready} events. */
  private io.netty.util.IntSupplier polls(int emptyPolls, int ready) {
    var count = new AtomicLong();
    return () -> {
      now.addAndGet(1_000);
      return count.incrementAndGet() > emptyPolls ? ready : 0;
    };
  }

  @Test
  void aSpinThatRunsOutBlocksAndHalvesItsBudgetDownToAFloor() throws Exception {
    var budgets = new ArrayList<Long>();
    for (int i = 0; i < 6; i++) {
      assertThat(spin.calculateStrategy(polls(Integer.MAX_VALUE, 0), false))
          .isEqualTo(SelectStrategy.SELECT);
      budgets.add(spin.budgetNanos());
    }
    assertThat(budgets).containsExactly(800_000L, 400_000L, 200_000L, 100_000L, 100_000L, 100_000L);
  }

  @Test
  void aSpinLastsItsBudget() throws Exception {
    long started = now.get();
    spin.calculateStrategy(polls(Integer.MAX_VALUE, 0), false);
    // One poll before the spin, then polls until the budget is spent.
    assertThat(now.get() - started).isEqualTo(MAX + 1_000);
  }

  @Test
  void eventsCaughtWhileSpinningAreTakenAndRestoreTheFullBudget() throws Exception {
    for (int i = 0; i < 4; i++) {
      spin.calculateStrategy(polls(Integer.MAX_VALUE, 0), false);
    }
    assertThat(spin.budgetNanos()).isEqualTo(100_000);

    assertThat(spin.calculateStrategy(polls(5, 3), false)).isEqualTo(3);

    assertThat(spin.budgetNanos()).isEqualTo(MAX);
  }

  @Test
  void waitsThatAlternateBetweenShortAndLongerThanHalfTheBudgetKeepItFull() throws Exception {
    // A caller's next request comes at once; the function's answer takes 3/4 of the budget.
    spin.calculateStrategy(polls(Integer.MAX_VALUE, 0), false); // two slow answers: a quarter
    spin.calculateStrategy(polls(Integer.MAX_VALUE, 0), false);
    for (int i = 0; i < 4; i++) {
      spin.calculateStrategy(polls(2, 1), false);
      assertThat(spin.calculateStrategy(polls(1_200, 1), false))
          .as("the answer is caught")
          .isEqualTo(1);
    }
    assertThat(spin.budgetNanos()).isEqualTo(MAX);
  }

  @Test
  void eventsOrTasksAlreadyWaitingAreTakenAtOnceAndSayNothingAboutTheSpin() throws Exception {
    spin.calculateStrategy(polls(Integer.MAX_VALUE, 0), false);
    long budget = spin.budgetNanos();

    long before = now.get();
    assertThat(spin.calculateStrategy(polls(0, 2), false)).isEqualTo(2);
    assertThat(spin.calculateStrategy(polls(Integer.MAX_VALUE, 0), true)).isZero();

    assertThat(now.get() - before).as("one poll each, no spin").isEqualTo(2_000);
    assertThat(spin.budgetNanos()).isEqualTo(budget);
  }

  @Test
  void aTaskHandedOverWhileSpinningEndsTheSpinAndLeavesTheBudget() throws Exception {
    var polled = new AtomicLong();
    io.netty.util.IntSupplier poll =
        () -> {
          now.addAndGet(1_000);
          if (polled.incrementAndGet() == 3) {
            tasksWaiting.set(true); // another thread hands a task over between two polls
          }
          return 0;
        };

    assertThat(spin.calculateStrategy(poll, false)).isZero();

    assertThat(polled).hasValue(3);
    assertThat(spin.budgetNanos()).isEqualTo(MAX);
  }

  /**
   * With a real loop spinning a minute, a task handed over from another thread still runs at once:
   * the loop sees it in its queue. (Without that, it would wait out the spin, since a spinning loop
   * is not blocked in epoll and no wake-up reaches it.)
   */
  @Test
  void aRealLoopSpinningALongTimeStillRunsATaskHandedToItAtOnce() throws Exception {
    var loops = new SpinningEventLoops(Duration.ofMinutes(1));
    try {
      var loop = loops.group().next();
      var thread = new AtomicReference<Thread>();
      var first = new CountDownLatch(1);
      loop.execute(
          () -> {
            thread.set(Thread.currentThread());
            first.countDown();
          });
      first.await();
      // Spinning, not blocked: the loop's thread keeps using CPU with nothing to do.
      var cpu = ManagementFactory.getThreadMXBean();
      long spentBefore = cpu.getThreadCpuTime(thread.get().threadId());
      await().until(() -> cpu.getThreadCpuTime(thread.get().threadId()) - spentBefore > 20_000_000);

      var ran = new CountDownLatch(1);
      loop.execute(ran::countDown);

      await().until(() -> ran.getCount() == 0);
    } finally {
      shutDown(loops);
    }
  }

  @Test
  void theGatewaysLoopsAreOnePerCoreAndNamedForStoke() {
    var loops = new SpinningEventLoops(Duration.ofNanos(200_000));
    try {
      List<String> names = new ArrayList<>();
      var done = new CountDownLatch(Runtime.getRuntime().availableProcessors());
      loops
          .group()
          .forEach(
              executor ->
                  executor.execute(
                      () -> {
                        synchronized (names) {
                          names.add(Thread.currentThread().getName());
                        }
                        done.countDown();
                      }));
      await().until(() -> done.getCount() == 0);
      assertThat(names)
          .hasSize(Runtime.getRuntime().availableProcessors())
          .allSatisfy(name -> assertThat(name).startsWith("stoke-io-"))
          .doesNotHaveDuplicates();
    } finally {
      shutDown(loops);
    }
  }

  /** No quiet period: a loop spinning a minute would otherwise spin on through it. */
  private static void shutDown(SpinningEventLoops loops) {
    loops.disposeLater(Duration.ZERO, Duration.ofSeconds(10)).block();
  }
}
