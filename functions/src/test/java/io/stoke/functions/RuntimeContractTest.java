package io.stoke.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every function runtime keeps, proven against the real runtime process. Subclasses
 * say how to start their runtime with the contract test handler ({@code ContractHandler} / {@code
 * python/contract.py}): it fails on /boom, sleeps {@code ?ms=} and reports when it ran.
 */
abstract class RuntimeContractTest {

  private static final Duration SLOW = Duration.ofMillis(800);

  private RuntimeProcess runtime;

  /** Starts the runtime serving the contract handler as function "contract". */
  abstract RuntimeProcess startContractHandler(int concurrency);

  /** Starts the runtime with a handler that cannot be loaded. */
  abstract RuntimeProcess startBrokenHandler();

  @AfterEach
  void stopRuntime() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void answersReadinessOnceTheHandlerIsLoaded() {
    runtime = startContractHandler(0).awaitReady();

    HttpResponse<String> ready = runtime.get("/_/ready");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body().replace(" ", "")).isEqualTo("{\"ready\":true}");
  }

  @Test
  void passesTheFullPathToTheHandlerAndLogsOneLinePerRequest() {
    runtime = startContractHandler(0).awaitReady();

    HttpResponse<String> response = runtime.get("/some/deep/path?ms=0");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"/some/deep/path\"");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(runtime.stderrText())
                    .containsPattern("contract GET /some/deep/path\\?ms=0 200 [0-9.]+ms"));
  }

  @Test
  void answersAHandlerExceptionWith500JsonAndKeepsServing() {
    runtime = startContractHandler(0).awaitReady();

    HttpResponse<String> failed = runtime.get("/boom");
    HttpResponse<String> next = runtime.get("/after");

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.headers().firstValue("content-type")).hasValue("application/json");
    String body = failed.body().replace(" ", "");
    assertThat(body).contains("\"error\":").contains("boom");
    assertThat(body).contains("\"function\":\"contract\"").contains("\"status\":500");
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(runtime.process().isAlive()).isTrue();
  }

  @Test
  void runsOneRequestAtATimeWhenConcurrencyIsOne() {
    runtime = startContractHandler(1).awaitReady();

    CompletableFuture<HttpResponse<String>> first = runtime.getAsync("/a?ms=" + SLOW.toMillis());
    CompletableFuture<HttpResponse<String>> second = runtime.getAsync("/b?ms=" + SLOW.toMillis());

    Interval a = Interval.of(first.join());
    Interval b = Interval.of(second.join());
    assertThat(a.overlaps(b)).as("%s and %s must not overlap", a, b).isFalse();
  }

  @Test
  void runsRequestsTogetherWhenConcurrencyIsUnlimited() {
    runtime = startContractHandler(0).awaitReady();

    CompletableFuture<HttpResponse<String>> first = runtime.getAsync("/a?ms=" + SLOW.toMillis());
    CompletableFuture<HttpResponse<String>> second = runtime.getAsync("/b?ms=" + SLOW.toMillis());

    Interval a = Interval.of(first.join());
    Interval b = Interval.of(second.join());
    assertThat(a.overlaps(b)).as("%s and %s must overlap", a, b).isTrue();
  }

  @Test
  void finishesTheInFlightRequestOnSigtermThenExitsZero() {
    runtime = startContractHandler(0).awaitReady();
    CompletableFuture<HttpResponse<String>> inFlight = runtime.getAsync("/slow?ms=2500");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> runtime.stderrText().contains("contract: started /slow"));

    runtime.terminate();

    await("the listener to close while the request is in flight")
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> runtime.get("/_/ready"))
                    .isInstanceOf(UncheckedIOException.class));
    assertThat(inFlight).isNotDone();
    HttpResponse<String> response = inFlight.join();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("/slow");
    assertThat(runtime.awaitExit(Duration.ofSeconds(10))).isZero();
  }

  @Test
  void exitsNonZeroWithAClearMessageWhenTheHandlerCannotBeLoaded() {
    runtime = startBrokenHandler();

    int status = runtime.awaitExit(Duration.ofSeconds(20));

    assertThat(status).isNotZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(runtime.stderrText()).contains("stoke: cannot"));
  }

  /** When the handler ran, in the runtime's wall-clock milliseconds. */
  record Interval(long started, long ended) {

    private static final Pattern STARTED = Pattern.compile("\"started\":\\s*(\\d+)");
    private static final Pattern ENDED = Pattern.compile("\"ended\":\\s*(\\d+)");

    static Interval of(HttpResponse<String> response) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return new Interval(number(STARTED, response.body()), number(ENDED, response.body()));
    }

    boolean overlaps(Interval other) {
      return started < other.ended && other.started < ended;
    }

    private static long number(Pattern pattern, String body) {
      Matcher matcher = pattern.matcher(body);
      assertThat(matcher.find()).as("%s in %s", pattern, body).isTrue();
      return Long.parseLong(matcher.group(1));
    }
  }
}
