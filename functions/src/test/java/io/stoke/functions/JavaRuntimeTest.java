package io.stoke.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java runtime ({@code io.stoke.runtime.Main}) run by the current JVM's java binary. */
class JavaRuntimeTest extends RuntimeContractTest {

  private static final String CLASS_PATH =
      Path.of("target/classes").toAbsolutePath()
          + File.pathSeparator
          + Path.of("target/test-classes").toAbsolutePath();

  @Override
  RuntimeProcess startContractHandler(int concurrency) {
    return start(ContractHandler.class.getName(), "contract", concurrency);
  }

  @Override
  RuntimeProcess startBrokenHandler() {
    return start("io.stoke.functions.NoSuchHandler", "broken", 0);
  }

  @Test
  void servesTheEchoExample() {
    try (RuntimeProcess echo = start("EchoHandler", "echo", 0).awaitReady()) {
      URI uri = echo.uri("/echo/me?a=1&b=two%20words");
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .header("X-Test", "yes")
              .method("PUT", HttpRequest.BodyPublishers.ofString("payload"))
              .build();

      HttpResponse<String> response = echo.send(request);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(response.body())
          .contains("\"method\":\"PUT\"")
          .contains("\"path\":\"/echo/me\"")
          .contains("\"query\":{\"a\":\"1\",\"b\":\"two words\"}")
          .contains("[\"yes\"]")
          .contains("\"body\":\"payload\"");
    }
  }

  @Test
  void servesThePrimesExample() {
    try (RuntimeProcess primes = start("PrimesHandler", "primes", 0).awaitReady()) {
      HttpResponse<String> response = primes.get("/?n=100");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"n\":100").contains("\"primes\":25");
    }
  }

  private static RuntimeProcess start(String handler, String name, int concurrency) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return RuntimeProcess.start(
        List.of(java, "-XX:+UseSerialGC", "-cp", CLASS_PATH, "io.stoke.runtime.Main"),
        Map.of(
            "STOKE_HANDLER", handler,
            "STOKE_FUNCTION", name,
            "STOKE_CONCURRENCY", Integer.toString(concurrency)));
  }
}
