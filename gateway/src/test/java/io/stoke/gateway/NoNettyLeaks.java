package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
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
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      for (int round = 0; round < 5; round++) {
        System.gc();
        Thread.sleep(100);
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

  private static Logger logger() {
    return (Logger) LoggerFactory.getLogger(DETECTOR);
  }
}
