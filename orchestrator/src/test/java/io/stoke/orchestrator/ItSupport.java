package io.stoke.orchestrator;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.docker.Installation;
import io.stoke.orchestrator.docker.Labels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;

/** Shared helpers of the integration tests: bases, Docker, HTTP, starting the orchestrator. */
public final class ItSupport {

  private ItSupport() {}

  /** The repository's functions folder, from the module (tests) or the repository root. */
  public static final Path FUNCTIONS =
      (Files.isDirectory(Path.of("functions", "runtimes"))
              ? Path.of("functions")
              : Path.of("..", "functions"))
          .toAbsolutePath()
          .normalize();

  /**
   * This test run's installation: every orchestrator the tests start labels its containers with it
   * and touches no other, so a platform (or another test run) on the same engine is left alone.
   */
  public static final Installation INSTALLATION =
      new Installation("test-" + UUID.randomUUID().toString().substring(0, 8));

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Base images as scripts/bases.sh recorded them, falling back to the environment. */
  public static Map<String, String> bases() {
    var bases = new LinkedHashMap<String, String>();
    var file = Path.of("/var/cache/stoke/bases.env");
    if (Files.exists(file)) {
      try {
        for (var line : Files.readAllLines(file)) {
          var eq = line.indexOf('=');
          if (eq > 0 && !line.startsWith("#")) {
            bases.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (var key :
        List.of(
            "STOKE_BASE_PYTHON",
            "STOKE_BASE_JAVA_JRE",
            "STOKE_BASE_JAVA_JDK",
            "STOKE_BASE_MINIMAL")) {
      if (System.getenv(key) != null) {
        bases.put(key, System.getenv(key));
      }
    }
    return bases;
  }

  public static StokeProperties.Base base() {
    var b = bases();
    return new StokeProperties.Base(
        b.get("STOKE_BASE_PYTHON"),
        b.get("STOKE_BASE_JAVA_JRE"),
        b.get("STOKE_BASE_JAVA_JDK"),
        b.get("STOKE_BASE_MINIMAL"));
  }

  /** The orchestrator's command-line arguments for a test. */
  public static List<String> arguments(Path definitions, String redisUrl, String... extra) {
    return arguments(definitions, FUNCTIONS, redisUrl, extra);
  }

  /** The orchestrator's command-line arguments for a test with its own functions folder. */
  public static List<String> arguments(
      Path definitions, Path functionsDir, String redisUrl, String... extra) {
    var base = base();
    var args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--stoke.definitions=" + definitions,
                "--stoke.functions-dir=" + functionsDir,
                "--stoke.redis-url=" + redisUrl,
                "--stoke.base.python=" + base.python(),
                "--stoke.base.java-jre=" + base.javaJre(),
                "--stoke.base.java-jdk=" + base.javaJdk(),
                "--stoke.base.minimal=" + base.minimal(),
                "--stoke.idle-check-interval=200ms",
                "--stoke.reconcile-interval=2s",
                "--stoke.reload-poll-interval=200ms",
                "--stoke.prune-images=false"));
    if (Arrays.stream(extra).noneMatch(arg -> arg.startsWith("--" + Installation.KEY + "="))) {
      args.add("--" + Installation.KEY + "=" + INSTALLATION.id());
    }
    args.addAll(List.of(extra));
    return args;
  }

  public static ConfigurableApplicationContext startOrchestrator(
      Path definitions, String redisUrl, String... extra) {
    return new SpringApplicationBuilder(OrchestratorApplication.class)
        .run(arguments(definitions, redisUrl, extra).toArray(String[]::new));
  }

  /**
   * A functions folder for a test: the repository's runtimes (linked) and a copy of each named
   * function, from {@code src/test/resources/functions} when it is a test function, else from the
   * repository's examples.
   */
  public static Path functionsWith(Path dir, String... functions) {
    try {
      Files.createDirectories(dir);
      Files.createSymbolicLink(dir.resolve("runtimes"), FUNCTIONS.resolve("runtimes"));
      var resources = Path.of("src", "test", "resources", "functions").toAbsolutePath();
      for (var name : functions) {
        var from =
            Files.isDirectory(resources.resolve(name))
                ? resources.resolve(name)
                : FUNCTIONS.resolve(name);
        var target = Files.createDirectories(dir.resolve(name));
        try (var files = Files.list(from)) {
          for (var file : files.filter(Files::isRegularFile).toList()) {
            Files.copy(file, target.resolve(file.getFileName().toString()));
          }
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static DockerClient docker() {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    var http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build();
    return DockerClientImpl.getInstance(config, http);
  }

  /** Ids of this test run's containers of {@code function}, running or not. */
  public static List<String> containers(DockerClient docker, String function) {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(
            Map.of(
                Labels.MANAGED,
                "true",
                Labels.INSTALLATION,
                INSTALLATION.id(),
                Labels.FUNCTION,
                function))
        .exec()
        .stream()
        .map(c -> c.getId())
        .toList();
  }

  public static void removeContainers(DockerClient docker, Collection<String> functions) {
    for (var function : functions) {
      for (var id : containers(docker, function)) {
        try {
          docker.removeContainerCmd(id).withForce(true).exec();
        } catch (RuntimeException e) {
          // Already gone.
        }
      }
    }
  }

  public static void demand(UnifiedJedis redis, String function) {
    redis.xadd(
        RedisKeys.DEMAND_STREAM,
        StreamEntryID.NEW_ENTRY,
        Map.of(
            "function",
            function,
            "at",
            Long.toString(System.currentTimeMillis()),
            "source",
            "test"));
  }

  public static List<Instance> ready(InstanceRegistry registry, String function) {
    return registry.instances(function).stream().filter(Instance::isReady).toList();
  }

  public static HttpResponse<String> get(Instance instance, String pathAndQuery) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://" + instance.address() + pathAndQuery))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A definitions entry of a python example function under another name. */
  public static String python(String name, String source, String version, String scaling) {
    return """
          - name: %s
            runtime: python
            source: %s
            handler: handler.py
            version: "%s"
            timeout: 20s
            scaling: {%s}
        """
        .formatted(name, source, version, scaling);
  }
}
