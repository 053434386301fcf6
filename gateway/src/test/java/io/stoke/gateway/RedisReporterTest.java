package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stoke.common.testing.MutableClock;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

class RedisReporterTest {

  /** A loopback port nothing listens on: every Redis call fails at once (connection refused). */
  private static int closedPort() throws Exception {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void warnsOnceAboutAnUnreachableRedisThenSumsUpInsteadOfOneLinePerAttempt() throws Exception {
    var logger = (Logger) LoggerFactory.getLogger(RedisReporter.class);
    var lines = new ListAppender<ILoggingEvent>();
    lines.start();
    logger.addAppender(lines);
    var clock = new MutableClock();
    try (var redis = RedisClient.create(URI.create("redis://127.0.0.1:" + closedPort()))) {
      var reporter = new RedisReporter(redis, Runnable::run, clock);

      // A demand signal every 200 ms for 40 s, as a held request makes them while Redis is down.
      for (int i = 0; i < 200; i++) {
        reporter.demand("hello");
        clock.advance(Duration.ofMillis(200));
      }
    } finally {
      logger.detachAppender(lines);
    }

    assertThat(lines.list).extracting(ILoggingEvent::getLevel).containsOnly(Level.WARN);
    assertThat(lines.list).hasSize(2);
    assertThat(lines.list.get(0).getFormattedMessage())
        .startsWith("Cannot signal demand for hello");
    assertThat(lines.list.get(1).getFormattedMessage())
        .startsWith("demand signals: failure repeated 150 times in the last 30 s");
  }
}
