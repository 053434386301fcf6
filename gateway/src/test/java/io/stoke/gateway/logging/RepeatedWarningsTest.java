package io.stoke.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stoke.common.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RepeatedWarningsTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger("test.repeated-warnings");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final MutableClock clock = new MutableClock();
  private final RepeatedWarnings warnings =
      new RepeatedWarnings(logger, "registry reads", clock, Duration.ofSeconds(30));

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  private void failEvery100MsFor(Duration duration) {
    for (long ms = 0; ms < duration.toMillis(); ms += 100) {
      warnings.failed("cannot reach Redis at " + ms);
      clock.advance(Duration.ofMillis(100));
    }
  }

  @Test
  void logsTheFirstFailureThenOneSummaryPerWindowThenTheRecovery() {
    failEvery100MsFor(Duration.ofSeconds(65));
    warnings.succeeded();

    assertThat(lines.list)
        .extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Level.WARN, "cannot reach Redis at 0"),
            org.assertj.core.groups.Tuple.tuple(
                Level.WARN,
                "registry reads: failure repeated 300 times in the last 30 s;"
                    + " latest: cannot reach Redis at 30000"),
            org.assertj.core.groups.Tuple.tuple(
                Level.WARN,
                "registry reads: failure repeated 300 times in the last 30 s;"
                    + " latest: cannot reach Redis at 60000"),
            org.assertj.core.groups.Tuple.tuple(
                Level.INFO, "registry reads recovered after 650 failures in 65 s"));
  }

  @Test
  void saysNothingAboutSuccessesAndStartsOverAfterARecovery() {
    warnings.succeeded();
    warnings.failed("first outage");
    clock.advance(Duration.ofSeconds(1));
    warnings.succeeded();
    warnings.succeeded();
    clock.advance(Duration.ofMinutes(5));
    warnings.failed("second outage");

    assertThat(lines.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "first outage", "registry reads recovered after 1 failures in 1 s", "second outage");
  }

  @Test
  void refusesAWindowThatIsNotPositive() {
    assertThatThrownBy(() -> new RepeatedWarnings(logger, "x", clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window = PT0S, must be positive");
  }
}
