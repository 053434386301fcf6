package io.stoke.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Python runtime ({@code runtimes/python/stoke_runtime.py}) run by the host's python3. */
class PythonRuntimeTest extends RuntimeContractTest {

  static final Path RUNTIME = Path.of("runtimes/python/stoke_runtime.py");
  static final Path TEST_HANDLERS = Path.of("src/test/resources/python");

  @BeforeAll
  static void requirePython() throws InterruptedException {
    assumeTrue(pythonWorks(), "python3 >= 3.11 is not on the PATH: the Python runtime is not run");
  }

  @Override
  RuntimeProcess startContractHandler(int concurrency) {
    return start(TEST_HANDLERS, "contract.py", "contract", concurrency);
  }

  @Override
  RuntimeProcess startBrokenHandler() {
    return start(TEST_HANDLERS, "broken.py", "broken", 0);
  }

  @Test
  void servesTheHelloExample() {
    try (RuntimeProcess hello = start(Path.of("hello"), "handler.py", "hello", 0).awaitReady()) {
      HttpResponse<String> response = hello.get("/");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(response.body().replace(" ", "")).isEqualTo("{\"Hello\":\"World\"}");
    }
  }

  @Test
  void servesTheSleepExample() {
    try (RuntimeProcess sleep = start(Path.of("sleep"), "handler.py", "sleep", 0).awaitReady()) {
      HttpResponse<String> response = sleep.get("/?ms=20");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body().replace(" ", "")).contains("\"slept_ms\":20");
    }
  }

  private static RuntimeProcess start(Path dir, String handler, String name, int concurrency) {
    return RuntimeProcess.start(
        List.of("python3", RUNTIME.toString()),
        Map.of(
            "STOKE_FUNCTION_DIR",
            dir.toAbsolutePath().toString(),
            "STOKE_HANDLER",
            handler,
            "STOKE_FUNCTION",
            name,
            "STOKE_CONCURRENCY",
            Integer.toString(concurrency)));
  }

  private static boolean pythonWorks() throws InterruptedException {
    if (!Files.isRegularFile(RUNTIME)) {
      return false;
    }
    try {
      Process check =
          new ProcessBuilder("python3", "-c", "import sys; sys.exit(sys.version_info < (3, 11))")
              .start();
      return check.waitFor(20, TimeUnit.SECONDS) && check.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
