package io.stoke.gateway;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * The gateway's event loops, one per core: after a round of work a loop keeps polling for the next
 * events for a short while before it blocks in epoll.
 *
 * <p>A warm request wakes a blocked loop twice, once for the caller's request and once for the
 * instance's answer. On a virtual machine each wake-up of an idle core costs tens of microseconds
 * (the core halted, and waking it is an interrupt and an exit to the hypervisor), which on a fast
 * function is as much as the whole proxy hop. An answer that arrives within the spin is picked up
 * without a wake-up. The spin yields the core between polls, so it only ever uses time no other
 * thread wants; and it adapts ({@link Spin}), so a loop whose spins keep missing (an idle gateway,
 * callers that pause) spins little.
 */
final class SpinningEventLoops implements LoopResources {

  private final EventLoopGroup group;

  /** Whether loops can spin: {@code spin} is positive and epoll is there. */
  static boolean available(Duration spin) {
    return spin.isPositive() && Epoll.isAvailable();
  }

  /** Loops that spin for up to {@code spin} after each round of work; see {@link #available}. */
  SpinningEventLoops(Duration spin) {
    long spinNanos = spin.toNanos();
    IoHandlerFactory handlers =
        executor -> {
          // Tasks handed to a loop from other threads (releases of held requests, writes of
          // requests held there) end its spin at once: a spinning loop is not blocked, so nobody
          // wakes it.
          if (!(executor instanceof SingleThreadEventExecutor loop)) {
            throw new IllegalStateException("not a single-thread event loop: " + executor);
          }
          BooleanSupplier tasksWaiting = () -> loop.pendingTasks() > 0;
          return EpollIoHandler.newFactory(
                  0, () -> new Spin(spinNanos, tasksWaiting, System::nanoTime))
              .newHandler(executor);
        };
    this.group =
        new MultiThreadIoEventLoopGroup(
            Runtime.getRuntime().availableProcessors(),
            new DefaultThreadFactory("stoke-io", true),
            handlers);
  }

  /** The loops themselves (for tests). */
  EventLoopGroup group() {
    return group;
  }

  @Override
  public EventLoopGroup onServer(boolean useNative) {
    return group;
  }

  @Override
  public boolean daemon() {
    return true;
  }

  @Override
  public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
    return Mono.create(
        sink ->
            group
                .shutdownGracefully(
                    quietPeriod.toMillis(), timeout.toMillis(), TimeUnit.MILLISECONDS)
                .addListener(terminated -> sink.success()));
  }

  /**
   * One loop's strategy: poll without blocking, yielding the core between polls, for up to the
   * current budget, then block. The budget adapts between {@code max / 16} and {@code max}: a spin
   * that ran out halves it, a spin that caught events after waiting restores it to {@code max}.
   * (Doubling instead settled too low when waits alternate: a caller's next request caught at once,
   * then an answer just longer than the halved budget, missed again and again.) Events or tasks
   * already waiting are taken at once and say nothing about the spin.
   */
  static final class Spin implements SelectStrategy {
    static final int SHRINK_FLOOR = 16;

    private final long maxNanos;
    private final long minNanos;
    private final BooleanSupplier tasksWaiting;
    private final LongSupplier clock;
    private long budgetNanos;

    Spin(long maxNanos, BooleanSupplier tasksWaiting, LongSupplier clock) {
      this.maxNanos = maxNanos;
      this.minNanos = Math.max(1, maxNanos / SHRINK_FLOOR);
      this.tasksWaiting = tasksWaiting;
      this.clock = clock;
      this.budgetNanos = maxNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
      int ready = selectNow.get();
      if (ready > 0 || hasTasks) {
        return ready;
      }
      long start = clock.getAsLong();
      do {
        Thread.yield();
        ready = selectNow.get();
        if (ready > 0) {
          budgetNanos = maxNanos;
          return ready;
        }
        if (tasksWaiting.getAsBoolean()) {
          return ready;
        }
      } while (clock.getAsLong() - start < budgetNanos);
      budgetNanos = Math.max(minNanos, budgetNanos / 2);
      return SelectStrategy.SELECT;
    }

    /** The current budget (for tests). */
    long budgetNanos() {
      return budgetNanos;
    }
  }
}
