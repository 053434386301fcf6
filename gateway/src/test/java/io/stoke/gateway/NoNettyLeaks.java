package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class whose code leaked a Netty buffer: tracks every buffer (paranoid level) while
 * the class runs, then collects garbage and lets Netty report what was never released. Netty
 * reports a leak only as an ERROR log line, so the line is what this checks.
 */
final class NoNettyLeaks implements BeforeAllCallback, AfterAllCallback {

  private static final String DETECTOR = ResourceLeakDetector.class.getName();

  private final ListAppender<ILoggingEvent> reports = new ListAppender<>();
  private ResourceLeakDetector.Level previous;

  @Override
  public void beforeAll(ExtensionContext context) {
    previous = ResourceLeakDetector.getLevel();
    // Also read by GatewayConfiguration, which otherwise turns detection off.
    System.setProperty("io.netty.leakDetection.level", "paranoid");
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    reports.start();
    logger().addAppender(reports);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      for (int round = 0; round < 3; round++) {
        collectGarbage();
        // Leaks are reported when a later buffer is tracked: allocate a few.
        for (ByteBufAllocator allocator :
            new ByteBufAllocator[] {
              ByteBufAllocator.DEFAULT,
              PooledByteBufAllocator.DEFAULT,
              UnpooledByteBufAllocator.DEFAULT
            }) {
          allocator.directBuffer(1).release();
          allocator.heapBuffer(1).release();
        }
      }
      assertThat(reports.list)
          .as("Netty buffers never released")
          .noneMatch(event -> event.getFormattedMessage().contains("LEAK"));
    } finally {
      logger().detachAppender(reports);
      System.clearProperty("io.netty.leakDetection.level");
      ResourceLeakDetector.setLevel(previous);
    }
  }

  /**
   * Runs collections until a sentinel's reference is enqueued: Netty's leak records, collected in
   * the same cycle, are then enqueued for its detector too.
   */
  private static void collectGarbage() {
    var queue = new ReferenceQueue<Object>();
    var sentinel = new WeakReference<>(new Object(), queue);
    await("a garbage collection")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              System.gc();
              return queue.poll() == sentinel;
            });
  }

  private static Logger logger() {
    return (Logger) LoggerFactory.getLogger(DETECTOR);
  }
}
