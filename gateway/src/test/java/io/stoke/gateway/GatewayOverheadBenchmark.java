package io.stoke.gateway;

import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.LoadBalancing;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.springframework.boot.SpringApplication;
import redis.clients.jedis.RedisClient;

/**
 * Measures what the gateway adds to a warm request: runs {@code wrk} (or {@code hey}) against each
 * backend directly and through the gateway (direct mode) in the same run, at c=1 and c=32, and
 * prints p50/p99 latency and throughput. Prints figures, asserts nothing.
 *
 * <p>Every backend is a separate process, so it shares no event loop or JIT with the gateway:
 *
 * <ul>
 *   <li>{@code netty}: {@link NettyHelloServer}, the cheapest possible HTTP server (the gateway's
 *       own cost dominates);
 *   <li>{@code java}: Stoke's Java runtime ({@code io.stoke.runtime.Main} from {@code
 *       functions/target/classes}) serving {@code EchoHandler} with the image's JVM flags — a real
 *       function instance as Stoke runs it;
 *   <li>{@code python}: Stoke's Python runtime serving {@code functions/hello}.
 * </ul>
 *
 * <p>When nginx is installed, the same load also runs through nginx in front of the same backend,
 * alternating with the others, as a reference for what one proxy hop costs on this machine. A
 * second gateway in the same JVM with {@code stoke.gateway.io-spin=0s} (Reactor Netty's own event
 * loops, which block as soon as they run out of work) shows what the spinning loops buy and cost.
 *
 * <p>Arguments: {@code <netty|java|python|all> [seconds per run, default 10] [Spring arguments for
 * the gateway...]}. System properties: {@code stoke.bench.tool=wrk|hey} (default wrk, which costs
 * far less CPU than hey on a small machine) and {@code stoke.bench.reps} (runs per figure, default
 * 3, medians printed) and {@code stoke.bench.loadCpus=1} to pin the load generator and the backend
 * with {@code taskset} (start this JVM itself under {@code taskset -c 0} so the gateway keeps its
 * own core). Run from {@code gateway/}: {@code ../mvnw -q dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test && ../mvnw -q test-compile && java -cp
 * target/test-classes:target/classes:$(cat target/cp.txt) io.stoke.gateway.GatewayOverheadBenchmark
 * all 10} (the {@code java} backend needs {@code functions/target/classes}: {@code ./mvnw -q -pl
 * functions compile}).
 */
public final class GatewayOverheadBenchmark {

  private static final Path FUNCTION_CLASSES = Path.of("../functions/target/classes");
  private static final Pattern HEY_P50 = Pattern.compile("50%+ in ([0-9.]+) secs");
  private static final Pattern HEY_P99 = Pattern.compile("99%+ in ([0-9.]+) secs");
  private static final Pattern WRK_P50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern WRK_P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  private static final String TOOL = System.getProperty("stoke.bench.tool", "wrk");
  private static final String LOAD_CPUS = System.getProperty("stoke.bench.loadCpus", "");

  /**
   * Runs per figure, direct and through the gateway alternating; the medians are printed. One run
   * on a small shared machine swings by ±10%, more than the differences measured.
   */
  private static final int REPS = Integer.getInteger("stoke.bench.reps", 3);

  private GatewayOverheadBenchmark() {}

  /** One load run; {@code cpuUsPerRequest} is the CPU the measured process spent per request. */
  record Result(double p50Ms, double p99Ms, double rps, double cpuUsPerRequest) {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "all";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<String> names = which.equals("all") ? List.of("netty", "java", "python") : List.of(which);
    var backends = new LinkedHashMap<String, Backend>();
    // Killing this JVM skips the finally blocks: never leave a backend process behind.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  backends.values().forEach(Backend::close);
                  ReferenceProxy.RUNNING.forEach(ReferenceProxy::close);
                }));
    try (var redis = RedisServer.start();
        var jedis = RedisClient.create(URI.create(redis.url()));
        var statsd = drainingStatsdSink()) {
      var orchestrator = new TestOrchestrator(jedis);
      for (var name : names) {
        backends.put(name, Backend.start(name));
      }
      new FunctionCatalog(jedis)
          .publish(
              new FunctionDefinitions(
                  names.stream()
                      .map(
                          name ->
                              Definitions.function(
                                  name, 0, 1000, Duration.ofSeconds(30), LoadBalancing.ROUND_ROBIN))
                      .toList()),
              System.currentTimeMillis());
      backends.forEach((name, backend) -> orchestrator.ready(name, name + "-1", backend.port()));
      int gatewayPort = RedisServer.freePort();
      var springArgs =
          new ArrayList<>(
              List.of(
                  "--server.port=" + gatewayPort,
                  "--stoke.redis-url=" + redis.url(),
                  "--management.statsd.metrics.export.port=" + statsd.getLocalPort(),
                  "--logging.level.root=WARN"));
      springArgs.addAll(List.of(args).subList(Math.min(2, args.length), args.length));
      var context =
          SpringApplication.run(GatewayApplication.class, springArgs.toArray(String[]::new));
      int noSpinPort = RedisServer.freePort();
      var noSpinArgs = new ArrayList<>(springArgs);
      noSpinArgs.set(0, "--server.port=" + noSpinPort);
      noSpinArgs.add("--stoke.gateway.io-spin=0s");
      var noSpin =
          SpringApplication.run(GatewayApplication.class, noSpinArgs.toArray(String[]::new));
      try {
        if (seconds == 0) {
          backends.forEach(
              (name, backend) ->
                  System.out.println(
                      "serving "
                          + name
                          + ": direct http://127.0.0.1:"
                          + backend.port()
                          + "/ gateway http://127.0.0.1:"
                          + gatewayPort
                          + "/"
                          + name
                          + "/ gateway without spin http://127.0.0.1:"
                          + noSpinPort
                          + "/"
                          + name
                          + "/"));
          Thread.sleep(Long.MAX_VALUE);
        }
        var report = new StringBuilder();
        for (var entry : backends.entrySet()) {
          report.append(
              measure(
                  entry.getKey(),
                  entry.getValue(),
                  gatewayPort,
                  noSpinPort,
                  context.getBean(StokeProperties.class).gateway().ioSpin(),
                  seconds));
        }
        System.out.print("\nSummary of all backends:" + report);
      } finally {
        noSpin.close();
        context.close();
      }
    } finally {
      backends.values().forEach(Backend::close);
    }
  }

  private static String measure(
      String name, Backend backend, int gatewayPort, int noSpinPort, Duration spin, int seconds)
      throws IOException, InterruptedException {
    var direct =
        new Route(
            "direct",
            "http://127.0.0.1:" + backend.port() + "/",
            cpuOf(backend.process().toHandle()));
    var gateway =
        new Route(
            "gateway",
            "http://127.0.0.1:" + gatewayPort + "/" + name + "/",
            cpuOf(ProcessHandle.current()));
    var noSpin =
        new Route(
            "no spin",
            "http://127.0.0.1:" + noSpinPort + "/" + name + "/",
            cpuOf(ProcessHandle.current()));
    try (var nginx = ReferenceProxy.start(backend.port())) {
      var paths = new ArrayList<Route>(List.of(direct, gateway, noSpin));
      if (nginx != null) {
        paths.add(new Route("nginx", nginx.url(), nginx::cpuNanos));
      }
      // Warm up the JITs and the connection pools on every side. The gateway is loaded until its
      // JIT has been quiet for a whole run: on two busy cores C2 needs many seconds, and its
      // compile time would otherwise be charged to the gateway's CPU per request and steal the
      // cores the load runs on.
      var warmUp = untilJitQuiet(gateway, 32).plus(untilJitQuiet(gateway, 1));
      load(direct, 32, 3);
      load(noSpin, 32, 3);
      if (nginx != null) {
        load(paths.get(3), 32, 3);
      }
      var out = new StringBuilder();
      out.append(
          String.format(
              Locale.ROOT,
              "%nbackend: %s, %s, medians of %d runs of %d s (gateway warmed up %.0f s, %s)%s%s%n"
                  + "gateway: event loops spin up to %d us; no spin: the same gateway on loops that"
                  + " block at once%n"
                  + "cpu us/r: CPU of the process answering on that path, per request (direct: the"
                  + " backend; gateway, nginx: the proxy alone)%n",
              name,
              TOOL,
              REPS,
              seconds,
              warmUp.seconds(),
              warmUp.quiet() ? "until its JIT was quiet" : "JIT STILL COMPILING at the cap",
              nginx == null
                  ? ""
                  : "; reference: "
                      + nginx.version()
                      + " on the same backend ("
                      + nginx.workers()
                      + " workers, keep-alive upstream)",
              LOAD_CPUS.isEmpty() ? "" : ", load generator and backend on CPUs " + LOAD_CPUS,
              spin.toNanos() / 1000));
      String row = "%-6s %-8s %9s %9s %9s %9s %9s %-16s %9s  %s%n";
      out.append(
          String.format(
              Locale.ROOT,
              row,
              "conc",
              "path",
              "p50 ms",
              "p99 ms",
              "rps",
              "+p50 ms",
              "+p99 ms",
              "ratio (per run)",
              "cpu us/r",
              "goals (+p50 <= 1 ms, ratio >= 0.6)"));
      for (int concurrency : new int[] {1, 32}) {
        var runs = new LinkedHashMap<Route, List<Result>>();
        paths.forEach(path -> runs.put(path, new ArrayList<>()));
        for (int rep = 0; rep < REPS; rep++) {
          for (var path : paths) {
            runs.get(path).add(load(path, concurrency, seconds));
          }
        }
        var d = median(runs.get(direct));
        for (var path : paths) {
          var r = median(runs.get(path));
          // The direct row is the baseline: it has nothing to compare with.
          String added = "";
          String addedP99 = "";
          String ratioCell = "";
          String goals = "";
          if (path != direct) {
            double lowest = Double.MAX_VALUE;
            double highest = 0;
            for (int rep = 0; rep < REPS; rep++) {
              double ratio = runs.get(path).get(rep).rps / runs.get(direct).get(rep).rps;
              lowest = Math.min(lowest, ratio);
              highest = Math.max(highest, ratio);
            }
            double addedMs = r.p50Ms - d.p50Ms;
            double ratio = r.rps / d.rps;
            added = ms(addedMs);
            addedP99 = ms(r.p99Ms - d.p99Ms);
            ratioCell = String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", ratio, lowest, highest);
            goals =
                path == gateway
                    ? (addedMs <= 1.0 ? "latency met" : "latency MISSED")
                        + ", "
                        + (ratio >= 0.6 ? "throughput met" : "throughput MISSED")
                    : path == noSpin ? "same gateway, loops that block at once" : "reference";
          }
          out.append(
              String.format(
                  Locale.ROOT,
                  row,
                  "c=" + concurrency,
                  path.name(),
                  ms(r.p50Ms),
                  ms(r.p99Ms),
                  String.format(Locale.ROOT, "%.0f", r.rps),
                  added,
                  addedP99,
                  ratioCell,
                  String.format(Locale.ROOT, "%.1f", r.cpuUsPerRequest),
                  goals));
        }
      }
      System.out.print(out);
      System.out.flush();
      return out.toString();
    }
  }

  private static String ms(double millis) {
    return String.format(Locale.ROOT, "%.3f", millis);
  }

  /** How a warm-up ended: its length, and whether the JIT went quiet before the cap. */
  private record WarmUp(double seconds, boolean quiet) {
    WarmUp plus(WarmUp other) {
      return new WarmUp(seconds + other.seconds, quiet && other.quiet);
    }
  }

  /**
   * Loads {@code path} in runs of 2 s until a run passes without the JIT compiling for more than 20
   * ms, at most 20 runs. Only this JVM's JIT is watched: it hosts the gateway.
   */
  private static WarmUp untilJitQuiet(Route path, int concurrency)
      throws IOException, InterruptedException {
    var jit = ManagementFactory.getCompilationMXBean();
    long started = System.nanoTime();
    boolean quiet = false;
    for (int run = 0; run < 20 && !quiet; run++) {
      long compiledMs = jit.getTotalCompilationTime();
      load(path, concurrency, 2);
      quiet = jit.getTotalCompilationTime() - compiledMs <= 20;
    }
    return new WarmUp((System.nanoTime() - started) / 1e9, quiet);
  }

  private static LongSupplier cpuOf(ProcessHandle process) {
    return () -> process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** One way to the backend: directly, through the gateway or through the reference proxy. */
  private record Route(String name, String url, LongSupplier cpuNanos) {}

  /** Each figure's median over the runs, figure by figure. */
  private static Result median(List<Result> runs) {
    return new Result(
        median(runs, Result::p50Ms),
        median(runs, Result::p99Ms),
        median(runs, Result::rps),
        median(runs, Result::cpuUsPerRequest));
  }

  private static double median(
      List<Result> runs, java.util.function.ToDoubleFunction<Result> figure) {
    double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }

  /** A StatsD port that swallows every datagram, as a listener would. */
  private static java.net.DatagramSocket drainingStatsdSink() throws IOException {
    var socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              var packet = new java.net.DatagramPacket(new byte[65_536], 65_536);
              while (!socket.isClosed()) {
                try {
                  socket.receive(packet);
                } catch (IOException closed) {
                  return;
                }
              }
            });
    return socket;
  }

  private static List<String> pinned(List<String> command) {
    if (LOAD_CPUS.isEmpty()) {
      return command;
    }
    var result = new ArrayList<>(List.of("taskset", "-c", LOAD_CPUS));
    result.addAll(command);
    return result;
  }

  /** Runs the load generator against {@code path}, charging the CPU of its server to it. */
  private static Result load(Route path, int concurrency, int seconds)
      throws IOException, InterruptedException {
    String url = path.url();
    boolean wrk = TOOL.equals("wrk");
    var command =
        wrk
            ? List.of(
                "wrk",
                "-t",
                Integer.toString(Math.min(concurrency, 2)),
                "-c",
                Integer.toString(concurrency),
                "-d",
                seconds + "s",
                "--latency",
                url)
            : List.of("hey", "-z", seconds + "s", "-c", Integer.toString(concurrency), url);
    long cpuBefore = path.cpuNanos().getAsLong();
    var process = new ProcessBuilder(pinned(command)).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    if (output.contains("Non-2xx or 3xx responses") || output.contains("Socket errors")) {
      // wrk counts failures as requests: a figure built on them would be wrong, not slow.
      throw new IllegalStateException(
          "requests to " + path.name() + " (" + url + ") failed during the run:\n" + output);
    }
    double rps = number(RPS, output);
    double cpuUs = (path.cpuNanos().getAsLong() - cpuBefore) / 1000.0 / (rps * seconds);
    if (wrk) {
      return new Result(wrkMillis(WRK_P50, output), wrkMillis(WRK_P99, output), rps, cpuUs);
    }
    return new Result(number(HEY_P50, output) * 1000, number(HEY_P99, output) * 1000, rps, cpuUs);
  }

  private static double wrkMillis(Pattern pattern, String output) {
    var matcher = find(pattern, output);
    double value = Double.parseDouble(matcher.group(1));
    return switch (matcher.group(2)) {
      case "us" -> value / 1000;
      case "ms" -> value;
      default -> value * 1000;
    };
  }

  private static double number(Pattern pattern, String output) {
    return Double.parseDouble(find(pattern, output).group(1));
  }

  private static java.util.regex.Matcher find(Pattern pattern, String output) {
    var matcher = pattern.matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("unexpected load generator output:\n" + output);
    }
    return matcher;
  }

  /**
   * nginx as a reference reverse proxy in front of the same backend: one worker per core (the
   * gateway has an event loop per core), HTTP/1.1 keep-alive to the backend, no access log. It
   * tells what a proxy hop costs on this machine at all, so the gateway's figures can be read
   * against it. Null from {@link #start} when nginx is not installed.
   */
  private record ReferenceProxy(Process process, int port, java.nio.file.Path dir, String version)
      implements AutoCloseable {

    /** Started and not yet closed: the shutdown hook stops them when this JVM is killed. */
    static final List<ReferenceProxy> RUNNING = new java.util.concurrent.CopyOnWriteArrayList<>();

    static ReferenceProxy start(int backendPort) throws IOException, InterruptedException {
      String version;
      try {
        var probe = new ProcessBuilder("nginx", "-v").redirectErrorStream(true).start();
        version = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (probe.waitFor() != 0) {
          return null;
        }
      } catch (IOException notInstalled) {
        return null;
      }
      version = version.replace("nginx version: ", "");
      var dir = Files.createTempDirectory("stoke-bench-nginx");
      int port = RedisServer.freePort();
      Files.writeString(
          dir.resolve("nginx.conf"),
          """
          daemon off;
          worker_processes %d;
          pid %s/nginx.pid;
          error_log %s/error.log warn;
          events { worker_connections 4096; }
          http {
            access_log off;
            client_body_temp_path %s/body;
            proxy_temp_path %s/proxy;
            fastcgi_temp_path %s/fastcgi;
            uwsgi_temp_path %s/uwsgi;
            scgi_temp_path %s/scgi;
            upstream backend { server 127.0.0.1:%d; keepalive 256; }
            server {
              listen 127.0.0.1:%d;
              location / {
                proxy_pass http://backend;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
              }
            }
          }
          """
              .formatted(
                  Runtime.getRuntime().availableProcessors(),
                  dir,
                  dir,
                  dir,
                  dir,
                  dir,
                  dir,
                  dir,
                  backendPort,
                  port));
      // Not pinned with the load generator: like the gateway (this JVM), nginx gets the cores
      // this JVM runs on.
      var process =
          new ProcessBuilder(
                  "nginx",
                  "-p",
                  dir.toString(),
                  "-e",
                  dir.resolve("error.log").toString(),
                  "-c",
                  dir.resolve("nginx.conf").toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      var proxy = new ReferenceProxy(process, port, dir, version);
      RUNNING.add(proxy);
      var client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
      var deadline = Instant.now().plusSeconds(10);
      String error = "it did not answer within 10 s";
      while (Instant.now().isBefore(deadline) && process.isAlive()) {
        try {
          int status =
              client
                  .send(
                      HttpRequest.newBuilder(URI.create(proxy.url())).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode();
          if (status == 200) {
            return proxy;
          }
          error = "it answered " + status;
          break;
        } catch (IOException notYet) {
          java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
      }
      String log = "";
      try {
        log = Files.readString(dir.resolve("error.log")).strip();
      } catch (IOException none) {
        // Nothing logged.
      }
      proxy.close();
      // The reference is optional: the benchmark goes on without it.
      System.out.println("nginx reference skipped: " + error + (log.isEmpty() ? "" : ": " + log));
      return null;
    }

    String url() {
      return "http://127.0.0.1:" + port + "/";
    }

    int workers() {
      return Runtime.getRuntime().availableProcessors();
    }

    /** CPU of the master and its workers. */
    long cpuNanos() {
      long total = cpuOf(process.toHandle()).getAsLong();
      for (var worker : process.toHandle().descendants().toList()) {
        total += cpuOf(worker).getAsLong();
      }
      return total;
    }

    @Override
    public void close() {
      RUNNING.remove(this);
      // SIGTERM to the master first: it stops its workers and exits. Killing workers first would
      // have the master start new ones, orphaned once it is killed in turn.
      var workers = process.toHandle().descendants().toList();
      process.destroy();
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
      } catch (IOException e) {
        // A temporary folder left behind is harmless.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One backend process on a free loopback port, ready when {@code /_/ready} answers. */
  private record Backend(Process process, int port) implements AutoCloseable {

    static Backend start(String name) throws IOException {
      int port = RedisServer.freePort();
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> command =
          switch (name) {
            case "netty" ->
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    NettyHelloServer.class.getName(),
                    Integer.toString(port));
            // The flags of the Java runtime image's ENTRYPOINT
            // (functions/runtimes/java/Dockerfile).
            case "java" ->
                List.of(
                    java,
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    FUNCTION_CLASSES.toAbsolutePath().toString(),
                    "io.stoke.runtime.Main");
            case "python" ->
                List.of("python3", FunctionProcess.RUNTIME.toAbsolutePath().toString());
            default -> throw new IllegalArgumentException("unknown backend " + name);
          };
      var builder =
          new ProcessBuilder(pinned(command))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Map<String, String> env = builder.environment();
      env.put("PORT", Integer.toString(port));
      env.put("STOKE_FUNCTION", name);
      env.put("STOKE_INSTANCE", name + "-1");
      env.put("STOKE_HANDLER", name.equals("python") ? "handler.py" : "EchoHandler");
      env.put("STOKE_FUNCTION_DIR", Path.of("../functions/hello").toAbsolutePath().toString());
      var backend = new Backend(builder.start(), port);
      backend.awaitReady(name);
      return backend;
    }

    private void awaitReady(String name) throws IOException {
      var client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
      var ready =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_/ready")).build();
      var deadline = Instant.now().plusSeconds(20);
      while (Instant.now().isBefore(deadline) && process.isAlive()) {
        try {
          client.send(ready, HttpResponse.BodyHandlers.discarding());
          return;
        } catch (IOException notYet) {
          java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
      close();
      throw new IOException("backend " + name + " did not start on port " + port);
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
