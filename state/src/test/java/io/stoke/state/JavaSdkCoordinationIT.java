package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.runtime.Election;
import io.stoke.runtime.Lock;
import io.stoke.runtime.State;
import io.stoke.runtime.WatchEvent;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.support.StateProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The Java SDK's sessions, watches, Lock and Election against a real state service over a function
 * socket, with a real redis-server.
 */
class JavaSdkCoordinationIT {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static State stateOf(Path root) throws Exception {
    Files.createDirectories(root.resolve("jsdk"));
    var state = new State(root.resolve("jsdk").resolve(SocketListeners.SOCKET));
    Awaitility.await("the socket listens")
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(() -> state.get("nothing").isEmpty());
    return state;
  }

  @Test
  void aLiveSessionKeepsItsEphemeralsAndAnExpiredOneLosesThem() throws Exception {
    var rootA = Files.createTempDirectory("state-a");
    var rootB = Files.createTempDirectory("state-b");
    var events = new CopyOnWriteArrayList<WatchEvent>();
    try (var redis = RedisServer.start();
        var other = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + rootB)) {
      var viaB = stateOf(rootB);
      var serviceA = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + rootA);
      var viaA = stateOf(rootA);
      var session = viaA.openSession(Duration.ofMillis(600), events::add);
      viaA.create("/members", "", "persistent");
      var mine = viaA.create("/members/m-", "me", "ephemeral_sequential", session);

      // Heartbeats keep it for several timeouts.
      Awaitility.await()
          .during(Duration.ofSeconds(3))
          .atMost(PATIENCE)
          .until(() -> viaB.exists(mine));

      // Service A stops: nobody heartbeats; service B's reaper expires the session.
      serviceA.close();
      Awaitility.await("the ephemeral node goes with its session")
          .atMost(PATIENCE)
          .until(() -> !viaB.exists(mine));
      assertThat(viaB.children("/members")).isEmpty();

      try (var restarted =
          StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + rootA)) {
        Awaitility.await("the poller learns the session expired")
            .atMost(PATIENCE)
            .until(() -> events.stream().anyMatch(e -> e.type().equals("SessionExpired")));
      }
      assertThat(events).extracting(WatchEvent::type).containsExactly("SessionExpired");
    }
  }

  @Test
  void watchesFireOnceInWriteOrderToACallbackAndToABlockingWait() throws Exception {
    var root = Files.createTempDirectory("state-watch");
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      var state = stateOf(root);
      var called = new CopyOnWriteArrayList<WatchEvent>();
      try (var blocking = state.openSession(Duration.ofSeconds(10));
          var callback = state.openSession(Duration.ofSeconds(10), called::add)) {
        state.create("/w", "", "persistent");
        state.create("/w/b", "0", "persistent");
        state.create("/x", "", "persistent");
        for (var session : List.of(blocking, callback)) {
          assertThat(state.getNode("/w/b", session)).contains("0");
          assertThat(state.exists("/x/a", session)).isFalse();
          assertThat(state.children("/w", session)).containsExactly("b");
        }
        state.setNode("/w/b", "1", -1);
        state.setNode("/w/b", "2", -1);
        state.create("/x/a", "", "persistent");
        state.create("/w/c", "", "persistent");
        state.create("/w/d", "", "persistent");
        for (var session : List.of(blocking, callback)) {
          assertThat(state.exists("/x/end", session)).isFalse();
        }
        state.create("/x/end", "", "persistent");

        var expected =
            List.of(
                "NodeDataChanged /w/b",
                "NodeCreated /x/a",
                "NodeChildrenChanged /w",
                "NodeCreated /x/end");
        var waited = new ArrayList<WatchEvent>();
        while (waited.size() < expected.size()) {
          waited.add(blocking.waitEvent(PATIENCE).orElseThrow());
        }
        Awaitility.await().atMost(PATIENCE).until(() -> called.size() >= expected.size());
        for (var events : List.of(waited, List.copyOf(called))) {
          assertThat(events).extracting(e -> e.type() + " " + e.path()).isEqualTo(expected);
          assertThat(events).extracting(WatchEvent::zxid).isSorted();
        }
      }
    }
  }

  @Test
  void tenThreadsContendingForTheLockNeverHoldItTogether() throws Exception {
    var root = Files.createTempDirectory("state-lock");
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      var state = stateOf(root);
      var holders = new AtomicInteger();
      var overlaps = new AtomicInteger();
      var acquisitions = new AtomicInteger();
      var pool = Executors.newFixedThreadPool(10);
      var done = new ArrayList<CompletableFuture<Void>>();
      for (int t = 0; t < 10; t++) {
        done.add(
            CompletableFuture.runAsync(
                () -> contend(state, holders, overlaps, acquisitions), pool));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
      pool.shutdown();
      assertThat(overlaps).hasValue(0);
      assertThat(acquisitions).hasValue(30);
      assertThat(state.children("/locks/job")).isEmpty();
    }
  }

  @Test
  void aLockWaitThatTimesOutLeavesTheQueue() throws Exception {
    var root = Files.createTempDirectory("state-lock-timeout");
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      var state = stateOf(root);
      try (var holder = state.openSession(Duration.ofSeconds(10));
          var waiter = state.openSession(Duration.ofSeconds(10))) {
        var held = new Lock("/locks/t", holder);
        assertThat(held.acquire(PATIENCE)).isTrue();
        assertThat(new Lock("/locks/t", waiter).acquire(Duration.ofMillis(300))).isFalse();
        assertThat(state.children("/locks/t")).containsExactly(held.node().substring(9));
        held.release();
        assertThat(state.children("/locks/t")).isEmpty();
      }
    }
  }

  private static void contend(
      State state, AtomicInteger holders, AtomicInteger overlaps, AtomicInteger acquisitions) {
    try (var session = state.openSession(Duration.ofSeconds(10))) {
      for (int round = 0; round < 3; round++) {
        try (var lock = new Lock("/locks/job", session)) {
          lock.acquire();
          if (holders.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
          }
          acquisitions.incrementAndGet();
          // Hold it across a round trip so that an overlap, if any, has time to show.
          state.incr("inside", 1);
          holders.decrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anElectionPicksOneLeaderAndANewOneWhenItResignsOrCloses() throws Exception {
    var root = Files.createTempDirectory("state-election");
    try (var redis = RedisServer.start();
        var service = StateProcess.start(redis.url(), 0, "--stoke.state.socket-root=" + root)) {
      var state = stateOf(root);
      var a = state.openSession(Duration.ofSeconds(10));
      var b = state.openSession(Duration.ofSeconds(10));
      var c = state.openSession(Duration.ofSeconds(10));
      var first = new Election("/election", a, "a");
      var second = new Election("/election", b, "b");
      var third = new Election("/election", c, "c");
      first.volunteer();
      second.volunteer();
      third.volunteer();
      assertThat(first.waitForLeadership(PATIENCE)).isTrue();
      assertThat(second.waitForLeadership(Duration.ZERO)).isFalse();
      assertThat(third.waitForLeadership(Duration.ZERO)).isFalse();
      assertThat(first.leader()).contains("a");

      var secondLeads = CompletableFuture.supplyAsync(() -> leads(second));
      first.resign();
      assertThat(secondLeads.get(1, TimeUnit.MINUTES)).isTrue();
      assertThat(third.leader()).contains("b");

      var thirdLeads = CompletableFuture.supplyAsync(() -> leads(third));
      b.close();
      assertThat(thirdLeads.get(1, TimeUnit.MINUTES)).isTrue();
      assertThat(first.leader()).contains("c");
      c.close();
      assertThat(first.leader()).isEmpty();
      a.close();
    }
  }

  private static boolean leads(Election election) {
    try {
      return election.waitForLeadership(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
