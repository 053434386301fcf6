package io.stoke.system;

import static org.awaitility.Awaitility.await;

import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.RedisClient;

/**
 * Stoke's services as real processes, started from the jars the build just made, against a real
 * redis-server and the real Docker engine: the platform as {@code ./stoke up} runs it.
 */
final class Platform implements AutoCloseable {

  static final Path ROOT = projectRoot();

  private final RedisServer redisServer;
  private final RedisClient redis;
  private final Map<String, Service> specs = new LinkedHashMap<>();
  private final Map<String, Process> services = new LinkedHashMap<>();
  private final Map<String, Path> logs = new HashMap<>();
  private final int gatewayPort;

  /** Opens the gateway's Prometheus and metrics endpoints (stoke.gateway.metrics-token). */
  final String metricsToken = UUID.randomUUID().toString();

  private final Path logDir;

  private Platform(RedisServer redisServer, int gatewayPort, Path logDir) {
    this.redisServer = redisServer;
    this.redis = RedisClient.create(URI.create(redisServer.url()));
    this.gatewayPort = gatewayPort;
    this.logDir = logDir;
  }

  /** Starts redis-server, the stats listener, the state service, the orchestrator, the gateway. */
  static Platform start(Path definitions, String name) throws IOException {
    return start(definitions, name, null);
  }

  /**
   * Starts redis-server, the stats listener, the orchestrator, the api-server and the gateway; the
   * gateway and the api-server share a fresh internal secret. {@code apiArgs} are extra settings of
   * the api-server ({@code --key=value}).
   */
  static Platform startWithApi(Path definitions, String name, List<String> apiArgs)
      throws IOException {
    return start(definitions, name, List.copyOf(apiArgs));
  }

  private static Platform start(Path definitions, String name, List<String> apiArgs)
      throws IOException {
    var redis = RedisServer.start();
    var logDir = ROOT.resolve("system-tests/target/platform-logs/" + name);
    Files.createDirectories(logDir);
    var platform = new Platform(redis, RedisServer.freePort(), logDir);
    try {
      int statsUdp = RedisServer.freePort();
      int gatewayStatsUdp = RedisServer.freePort();
      int statsHttp = RedisServer.freePort();
      int orchestratorHttp = RedisServer.freePort();
      int stateHttp = RedisServer.freePort();
      // Short: a Unix socket path holds at most 107 bytes.
      var stateSockets = Files.createTempDirectory("stoke-sockets");
      String redisUrl = "--stoke.redis-url=" + redis.url();
      // Configured on every service that uses it, as ./stoke up does (else it is shared through
      // Redis).
      var secret = UUID.randomUUID().toString();
      platform.launch(
          new Service(
              "stats-listener",
              List.of(
                  redisUrl,
                  "--server.port=" + statsHttp,
                  "--stoke.stats.port=" + statsUdp,
                  "--stoke.stats.bind=127.0.0.1",
                  "--stoke.stats.gateway-port=" + gatewayStatsUdp),
              statsHttp));
      platform.launch(
          new Service(
              "state",
              List.of(
                  redisUrl,
                  "--stoke.state.port=" + stateHttp,
                  "--stoke.state.socket-root=" + stateSockets),
              stateHttp));
      platform.launch(
          new Service(
              "orchestrator",
              List.of(
                  redisUrl,
                  "--server.port=" + orchestratorHttp,
                  "--stoke.definitions=" + definitions,
                  "--stoke.functions-dir=" + ROOT.resolve("functions"),
                  "--stoke.consumer-name=" + name,
                  "--stoke.installation-id=" + Docker.INSTALLATION,
                  "--stoke.internal-secret=" + secret,
                  // Other suites share this Docker engine: keep the images they may be using.
                  "--stoke.prune-images=false",
                  "--stoke.state-socket-root=" + stateSockets),
              orchestratorHttp));
      var gatewayArgs =
          new ArrayList<>(
              List.of(
                  redisUrl,
                  "--server.port=" + platform.gatewayPort,
                  "--management.statsd.metrics.export.port=" + gatewayStatsUdp,
                  "--management.statsd.metrics.export.step=500ms",
                  "--management.statsd.metrics.export.polling-frequency=250ms",
                  "--stoke.gateway.metrics-token=" + platform.metricsToken,
                  // The dashboard's platform page checks these.
                  "--stoke.dashboard.health.orchestrator=http://127.0.0.1:"
                      + orchestratorHttp
                      + "/actuator/health",
                  "--stoke.dashboard.health.stats-listener=http://127.0.0.1:"
                      + statsHttp
                      + "/actuator/health"));
      if (apiArgs != null) {
        int apiHttp = RedisServer.freePort();
        var args =
            new ArrayList<>(
                List.of(
                    redisUrl,
                    "--server.port=" + apiHttp,
                    "--stoke.internal-secret=" + secret,
                    "--stoke.orchestrator-url=http://127.0.0.1:" + orchestratorHttp));
        args.addAll(apiArgs);
        platform.launch(new Service("api-server", args, apiHttp));
        gatewayArgs.add("--stoke.api.url=http://127.0.0.1:" + apiHttp);
        gatewayArgs.add("--stoke.api.internal-secret=" + secret);
      }
      platform.launch(new Service("gateway", gatewayArgs, platform.gatewayPort));
      return platform;
    } catch (RuntimeException | IOException e) {
      platform.close();
      throw e;
    }
  }

  /** One service process: its module, its arguments and the port its health answers on. */
  private record Service(String name, List<String> args, int healthPort) {}

  private void launch(Service service) throws IOException {
    var jar = ROOT.resolve(service.name() + "/target/stoke-" + service.name() + ".jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: the system tests run after `package`");
    }
    var command = new ArrayList<String>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    // As `./stoke up` runs them: the gateway with the full JIT, the others with C1 only.
    if (!service.name().equals("gateway")) {
      command.add("-XX:TieredStopAtLevel=1");
    }
    command.addAll(List.of("-XX:+UseSerialGC", "-jar", jar.toString()));
    command.addAll(service.args());
    var log = logDir.resolve(service.name() + ".log");
    if (!specs.containsKey(service.name())) {
      Files.deleteIfExists(log);
    }
    // Appending keeps the log of the first run when the services are restarted.
    var builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(baseImages());
    specs.put(service.name(), service);
    services.put(service.name(), builder.start());
    logs.put(service.name(), log);
    awaitHealthy(service.name(), service.healthPort());
  }

  /** SIGTERM to one service, without waiting; returns its process. */
  Process terminate(String service) {
    var process = services.get(service);
    process.toHandle().destroy();
    return process;
  }

  /** Starts a service stopped with {@link #terminate} again, with the same settings. */
  void relaunch(String service) throws IOException {
    launch(specs.get(service));
  }

  /**
   * Stops every service process and starts them again, in the same order, with the same settings
   * and against the same redis-server: whatever survives lives in Redis.
   */
  void restartServices() throws IOException {
    stopServices();
    var order = new ArrayList<>(specs.values());
    services.clear();
    for (var service : order) {
      launch(service);
    }
  }

  private void awaitHealthy(String service, int port) {
    var client = HttpClient.newHttpClient();
    var health = URI.create("http://127.0.0.1:" + port + "/actuator/health");
    await(service + " healthy (log: " + logs.get(service) + ")")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!services.get(service).isAlive()) {
                throw new IllegalStateException(service + " exited: " + tail(service));
              }
              try {
                var response =
                    client.send(
                        HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.discarding());
                return response.statusCode() == 200;
              } catch (IOException notYet) {
                return false;
              }
            });
  }

  /** The base images scripts/bases.sh prepared, so function images build without a registry. */
  static Map<String, String> baseImages() throws IOException {
    var env = new HashMap<String, String>();
    var file =
        Path.of(System.getenv().getOrDefault("STOKE_CACHE", "/var/cache/stoke"), "bases.env");
    if (Files.exists(file)) {
      for (var line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (line.startsWith("STOKE_BASE_") && eq > 0) {
          env.put(line.substring(0, eq), line.substring(eq + 1).trim());
        }
      }
    }
    return env;
  }

  /** Resident memory of a service's process, in MiB, from /proc. */
  double rssMiB(String service) throws IOException {
    long pid = services.get(service).pid();
    for (var line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    throw new IOException("no VmRSS for " + service);
  }

  URI gateway() {
    return URI.create("http://127.0.0.1:" + gatewayPort);
  }

  RedisClient redis() {
    return redis;
  }

  String tail(String service) {
    try {
      var lines = Files.readAllLines(logs.get(service));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stopServices();
    Docker.removeOwnContainers();
    redis.close();
    redisServer.close();
  }

  /** SIGTERM to every service, the last started first; SIGKILL after 15 s. */
  private void stopServices() {
    var reversed = new ArrayList<>(services.values());
    java.util.Collections.reverse(reversed);
    for (var process : reversed) {
      process.toHandle().destroy();
    }
    for (var process : reversed) {
      try {
        if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  static Path projectRoot() {
    var dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("global-function-definition.yml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no project root above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
