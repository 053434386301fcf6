package io.stoke.state.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.linearizability.RegisterModel.Cas;
import io.stoke.state.linearizability.RegisterModel.Read;
import io.stoke.state.support.DurableRedis;
import io.stoke.state.support.StateClient;
import io.stoke.state.support.StateProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Eight clients do compare-and-set increments and reads on one key while redis-server (AOF, fsync
 * always) is killed and restarted and the state service is stopped and started again; the recorded
 * history must be linearizable and every acknowledged write must be in the final value.
 */
class LinearizabilityIT {

  private static final int CLIENTS = 8;
  private static final String FUNCTION = "lin";
  private static final Map<String, String> KEY = Map.of("key", "register");

  private final ConcurrentLinkedQueue<Operation<RegisterModel.Op>> history =
      new ConcurrentLinkedQueue<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();

  @Test
  void casIncrementsAndReadsStayLinearizableThroughRedisCrashesAndServiceRestarts()
      throws Exception {
    try (var redis = DurableRedis.start()) {
      int port = RedisServer.freePort();
      var service = new AtomicReference<>(StateProcess.start(redis.url(), port));
      var threads = new ArrayList<Thread>();
      for (int c = 0; c < CLIENTS; c++) {
        int id = c;
        threads.add(Thread.ofPlatform().name("client-" + c).start(() -> client(id, port)));
      }
      awaitMoreAcknowledged(150);
      redis.crashAndRestart();
      awaitMoreAcknowledged(150);
      service.get().close();
      service.set(StateProcess.start(redis.url(), port));
      awaitMoreAcknowledged(150);
      redis.crashAndRestart();
      awaitMoreAcknowledged(150);
      stop.set(true);
      for (var thread : threads) {
        thread.join(Duration.ofSeconds(60));
      }
      long finalValue = finalRead(port);
      service.get().close();
      report(finalValue);
      assertThat(finalValue).isGreaterThanOrEqualTo(acknowledged.get());
      assertThat(finalValue).isLessThanOrEqualTo(acknowledged.get() + unknown.get());
      var checker = new LinearizabilityChecker<>(new RegisterModel());
      assertThat(checker.check(List.copyOf(history))).as("the history is linearizable").isTrue();
    }
  }

  private void awaitMoreAcknowledged(long more) {
    long target = acknowledged.get() + more;
    Awaitility.await(more + " more acknowledged writes")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> acknowledged.get() >= target);
  }

  private void client(int id, int port) {
    var client = new StateClient(port, Duration.ofSeconds(5));
    while (!stop.get()) {
      var read = read(id, client);
      if (read == null) {
        // The service is restarting or Redis is down: pace the retries of this client.
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        continue;
      }
      cas(id, client, read[0], read[1]);
    }
  }

  /** {value, version}, or null when the read has no known outcome (it then constrains nothing). */
  private long[] read(int id, StateClient client) {
    long start = System.nanoTime();
    try {
      var reply = client.call(FUNCTION, "kv/get", KEY);
      long end = System.nanoTime();
      long[] seen =
          switch (reply.status()) {
            case 200 ->
                new long[] {Long.parseLong((String) reply.get("value")), reply.number("version")};
            case 404 -> new long[] {0, 0};
            default -> null;
          };
      if (seen != null) {
        history.add(new Operation<>(id, new Read(seen[0]), start, end));
      }
      return seen;
    } catch (IOException e) {
      return null;
    }
  }

  private void cas(int id, StateClient client, long value, long version) {
    long start = System.nanoTime();
    var body = Map.of("key", "register", "value", Long.toString(value + 1), "ifVersion", version);
    try {
      var reply = client.call(FUNCTION, "kv/cas", body);
      long end = System.nanoTime();
      if (reply.status() == 200) {
        acknowledged.incrementAndGet();
        history.add(new Operation<>(id, new Cas(value, value + 1, true), start, end));
      } else if ("BadVersion".equals(reply.error())) {
        history.add(new Operation<>(id, new Cas(value, value + 1, false), start, end));
      } else {
        unknownCas(id, value, start); // 503: Redis may have applied it before it went away
      }
    } catch (ConnectException | HttpConnectTimeoutException notSent) {
      refused.incrementAndGet(); // never reached the service: it did not happen
    } catch (IOException e) {
      unknownCas(id, value, start);
    }
  }

  private void unknownCas(int id, long value, long start) {
    unknown.incrementAndGet();
    history.add(new Operation<>(id, new Cas(value, value + 1, true), start, Operation.UNKNOWN));
  }

  private long finalRead(int port) throws IOException {
    var client = new StateClient(port);
    long start = System.nanoTime();
    var reply = client.call(FUNCTION, "kv/get", KEY);
    assertThat(reply.status()).isEqualTo(200);
    long value = Long.parseLong((String) reply.get("value"));
    history.add(new Operation<>(CLIENTS, new Read(value), start, System.nanoTime()));
    return value;
  }

  private void report(long finalValue) throws IOException {
    long reads = history.stream().filter(o -> o.op() instanceof Read).count();
    long failedCas =
        history.stream().filter(o -> o.op() instanceof Cas cas && !cas.succeeded()).count();
    var summary =
        "operations=%d reads=%d casAcknowledged=%d casRefusedBadVersion=%d casUnknown=%d notSent=%d finalValue=%d"
            .formatted(
                history.size(),
                reads,
                acknowledged.get(),
                failedCas,
                unknown.get(),
                refused.get(),
                finalValue);
    System.out.println("linearizability history: " + summary);
    var lines = new ArrayList<String>();
    lines.add("# " + summary);
    history.forEach(
        o ->
            lines.add(
                o.client()
                    + " "
                    + o.invokedAt()
                    + " "
                    + (o.outcomeUnknown() ? "?" : o.completedAt())
                    + " "
                    + o.op()));
    Files.write(Path.of("target", "linearizability-history.txt"), lines);
  }
}
