package io.stoke.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Builds the runtime images with the docker CLI using the orchestrator's context layout (the
 * runtime folder at the root, the function folder under {@code function/}) and runs them hardened:
 * read-only root filesystem, tmpfs /tmp, no capabilities, no new privileges, uid 10001.
 */
class RuntimeImagesIT {

  private static final String HARDENING =
      "--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges --user 10001";

  private static Map<String, String> bases;

  private final List<String> containers = new ArrayList<>();
  private final List<String> images = new ArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void requireDocker() {
    assumeTrue(
        run(Duration.ofSeconds(30), "docker", "info").exitCode() == 0,
        "no docker CLI or engine: the runtime images are not built");
    bases = readBases();
  }

  @AfterEach
  void removeContainersAndImages() {
    containers.forEach(id -> run(Duration.ofSeconds(30), "docker", "rm", "-f", id));
    images.forEach(image -> run(Duration.ofSeconds(30), "docker", "rmi", image));
    client.close();
  }

  @Test
  void thePythonHelloImageServesHelloWorldHardened() {
    String image =
        build(
            "python",
            "hello",
            Map.of(
                "BASE_IMAGE", bases.getOrDefault("STOKE_BASE_PYTHON", "python:3.12-slim"),
                "HANDLER", "handler.py",
                "FUNCTION_NAME", "hello"));

    int port = runHardened(image);

    assertThat(get(port, "/").body().replace(" ", "")).isEqualTo("{\"Hello\":\"World\"}");
  }

  @Test
  void theJavaEchoImageEchoesRequestsHardened() {
    String image =
        build(
            "java",
            "echo",
            Map.of(
                "BASE_IMAGE",
                bases.getOrDefault("STOKE_BASE_JAVA_JRE", "eclipse-temurin:21-jre"),
                "BUILD_IMAGE",
                bases.getOrDefault("STOKE_BASE_JAVA_JDK", "eclipse-temurin:21-jdk"),
                "HANDLER",
                "EchoHandler",
                "FUNCTION_NAME",
                "echo"));

    int port = runHardened(image);

    assertThat(get(port, "/x/y?z=1").body()).contains("\"path\":\"/x/y\"").contains("\"z\":\"1\"");
  }

  private String build(String runtime, String function, Map<String, String> buildArgs) {
    Path context = assembleContext(runtime, function);
    String image = "stoke-it/" + function + ":" + UUID.randomUUID().toString().substring(0, 8);
    List<String> command = new ArrayList<>(List.of("docker", "build", "-q", "-t", image));
    buildArgs.forEach((key, value) -> command.addAll(List.of("--build-arg", key + "=" + value)));
    command.add(context.toString());
    Result result = run(Duration.ofMinutes(5), command.toArray(String[]::new));
    deleteRecursively(context);
    assertThat(result.exitCode()).as("docker build %s: %s", image, result.output()).isZero();
    images.add(image);
    return image;
  }

  /** Starts the image hardened, publishes 8080 on 127.0.0.1 and waits for readiness. */
  private int runHardened(String image) {
    List<String> command = new ArrayList<>(List.of("docker", "run", "-d"));
    command.addAll(List.of(HARDENING.split(" ")));
    command.addAll(List.of("-p", "127.0.0.1::8080", image));
    Result started = run(Duration.ofMinutes(1), command.toArray(String[]::new));
    assertThat(started.exitCode()).as("docker run: %s", started.output()).isZero();
    String id = started.output().strip();
    containers.add(id);
    Result binding = run(Duration.ofSeconds(30), "docker", "port", id, "8080/tcp");
    String hostPort = binding.output().lines().findFirst().orElseThrow();
    int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1).strip());
    await("readiness of " + image)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> get(port, "/_/ready").statusCode() == 200);
    return port;
  }

  private HttpResponse<String> get(int port, String pathAndQuery) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The context the orchestrator builds: runtimes/RUNTIME/* at the root, FUNCTION/ as function/.
   */
  private static Path assembleContext(String runtime, String function) {
    try {
      Path context = Files.createTempDirectory("stoke-context-");
      copyTree(Path.of("runtimes", runtime), context);
      copyTree(Path.of(function), context.resolve("function"));
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot assemble the build context", e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** The base images chosen by scripts/bases.sh; empty (public defaults) when it never ran. */
  private static Map<String, String> readBases() {
    String cache = System.getenv().getOrDefault("STOKE_CACHE", "/var/cache/stoke");
    Path file = Path.of(cache, "bases.env");
    Map<String, String> result = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return result;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (eq > 0 && !line.startsWith("#")) {
          result.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return result;
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Duration timeout, String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out after " + timeout);
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, e.toString());
    }
  }
}
