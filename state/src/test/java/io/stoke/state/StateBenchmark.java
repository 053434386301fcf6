package io.stoke.state;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.support.StateProcess;
import io.stoke.state.support.UnixHttp;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import redis.clients.jedis.Jedis;

/**
 * Issue 16's goal: state get/put/CAS through the Python SDK inside a hardened function container,
 * next to ZooKeeper (Debian's package, on the port given) and raw Redis, measured in the same run.
 */
public final class StateBenchmark {

  private static final String IMAGE = "stoke-base/python:bookworm";
  private static final int CLIENTS = 8;
  private static final int SECONDS = 10;

  private StateBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int zkPort = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    var root = Files.createTempDirectory("state-bench");
    try (var redis = RedisServer.start();
        var state = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      Files.createDirectories(root.resolve("bench"));
      var socket = root.resolve("bench").resolve("state.sock");
      awaitSocket(socket);
      var stoke = inContainer(root.resolve("bench"), n);
      var redisTimes = redis(redis.url(), n);
      var zk = zkPort > 0 ? zookeeper(zkPort, n) : null;
      report(stoke, redisTimes, zk);
    }
    System.exit(0);
  }

  private static void awaitSocket(Path socket) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        if (UnixHttp.post(socket, "/v1/kv/put", Map.of("key", "ready", "value", "1")).status()
            == 200) {
          return;
        }
      } catch (Exception notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
      }
      Thread.onSpinWait();
    }
  }

  private static Map<String, double[]> inContainer(Path folder, int n) throws Exception {
    var sdk = Path.of("..", "functions", "runtimes", "python").toAbsolutePath().normalize();
    var script = Path.of("src", "test", "resources").toAbsolutePath();
    var command = new ArrayList<>(List.of("docker", "run", "--rm"));
    command.addAll(HardenedRun.flags(folder));
    command.addAll(
        List.of(
            "-v",
            sdk + ":/sdk:ro",
            "-v",
            script + ":/bench:ro",
            "-e",
            "PYTHONPATH=/sdk",
            IMAGE,
            "python3",
            "/bench/state_bench.py",
            String.valueOf(n),
            String.valueOf(CLIENTS),
            String.valueOf(SECONDS)));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("the container's benchmark failed: " + output);
    }
    var result = new java.util.LinkedHashMap<String, double[]>();
    for (var line : output.split("\n")) {
      var parts = line.trim().split(" ");
      if (parts.length > 1 && List.of("get", "put", "cas", "throughput").contains(parts[0])) {
        result.put(
            parts[0],
            Arrays.stream(parts, 1, parts.length).mapToDouble(Double::parseDouble).toArray());
      }
    }
    return result;
  }

  private static Map<String, double[]> redis(String url, int n) {
    var uri = URI.create(url);
    try (var jedis = new Jedis(uri.getHost(), uri.getPort())) {
      jedis.set("bench", "v");
      time(n, i -> jedis.get("bench"));
      return Map.of(
          "get",
          time(n, i -> jedis.get("bench")),
          "put",
          time(n, i -> jedis.set("bench", "v" + i)));
    }
  }

  private static Map<String, double[]> zookeeper(int port, int n) throws Exception {
    var connected = new CountDownLatch(1);
    var zk = new ZooKeeper("127.0.0.1:" + port, 30_000, event -> connected.countDown());
    try {
      if (!connected.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("ZooKeeper on 127.0.0.1:" + port + " did not answer");
      }
      var path = "/bench-" + System.nanoTime();
      zk.create(path, new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      var stat = new Stat();
      time(n / 5, i -> call(() -> zk.getData(path, false, stat)));
      var get = time(n, i -> call(() -> zk.getData(path, false, stat)));
      var set = time(n, i -> call(() -> zk.setData(path, bytes(i), -1)));
      var version = new int[] {zk.exists(path, false).getVersion()};
      var cas =
          time(
              n, i -> version[0] = call(() -> zk.setData(path, bytes(i), version[0])).getVersion());
      return Map.of("get", get, "put", set, "cas", cas);
    } finally {
      zk.close();
    }
  }

  private static byte[] bytes(int i) {
    return ("v" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** A ZooKeeper call whose checked exception fails the benchmark. */
  private interface ZkCall<T> {
    T run() throws Exception;
  }

  private static <T> T call(ZkCall<T> call) {
    try {
      return call.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Microseconds of each of n calls. */
  private static double[] time(int n, IntConsumer op) {
    var out = new double[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      op.accept(i);
      out[i] = (System.nanoTime() - start) / 1000.0;
    }
    return out;
  }

  private static double pct(double[] values, double p) {
    var sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static void report(
      Map<String, double[]> stoke, Map<String, double[]> redis, Map<String, double[]> zk) {
    var lines = new ArrayList<String>();
    lines.add("Summary of all state figures (µs; Stoke = Python SDK in a hardened container)");
    lines.add(
        String.format(
            "%-4s %22s %22s %22s", "op", "Stoke p50/p99", "ZooKeeper p50/p99", "Redis p50/p99"));
    boolean met = true;
    for (var op : List.of("get", "put", "cas")) {
      var s = stoke.get(op);
      lines.add(
          String.format(
              "%-4s %22s %22s %22s",
              op,
              pair(s),
              zk == null ? "-" : pair(zk.get(op)),
              redis.containsKey(op) ? pair(redis.get(op)) : "-"));
      if (zk != null) {
        double ratio = pct(s, 0.5) / pct(zk.get(op), 0.5);
        met &= ratio <= 1.0;
        lines.add(String.format("     %s p50 ratio Stoke/ZooKeeper = %.2f", op, ratio));
      }
    }
    lines.add(
        zk == null
            ? "p50 ≤ ZooKeeper's: NOT MEASURED (no ZooKeeper)"
            : "p50 ≤ ZooKeeper's: " + (met ? "MET" : "MISSED"));
    double ops = stoke.get("throughput")[0];
    lines.add(
        String.format(
            "throughput, %d client processes in the container, put+get: %.0f ops/s — goal ≥ 20,000: %s",
            CLIENTS, ops, ops >= 20_000 ? "MET" : "MISSED"));
    lines.forEach(System.out::println);
  }

  private static String pair(double[] values) {
    return String.format("%.0f / %.0f", pct(values, 0.5), pct(values, 0.99));
  }
}
