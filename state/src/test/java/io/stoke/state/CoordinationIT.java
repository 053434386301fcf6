package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.support.StateClient;
import io.stoke.state.support.StateProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The coordination tree, sessions and watches, against a real redis-server over real HTTP. */
class CoordinationIT {

  private static RedisServer redis;
  private static StateProcess state;
  private static StateClient client;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    state = StateProcess.start(redis.url(), 0, "--stoke.state.limits.max-nodes-per-function=5");
    client = state.client();
  }

  @AfterAll
  static void stop() {
    state.close();
    redis.close();
  }

  private static StateClient.Reply call(String fn, String route, Map<String, ?> body)
      throws Exception {
    return client.call(fn, route, body);
  }

  private static String session(String fn, long timeoutMs) throws Exception {
    return (String) call(fn, "sessions/open", Map.of("timeoutMs", timeoutMs)).get("session");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stat(StateClient.Reply reply) {
    return (Map<String, Object>) reply.get("stat");
  }

  @Test
  void createGetSetDeleteFollowZooKeepersVersionsAndZxids() throws Exception {
    var created = call("co-a", "coord/create", Map.of("path", "/app", "data", "v0"));
    assertThat(created.status()).isEqualTo(200);
    long czxid = ((Number) stat(created).get("czxid")).longValue();
    var set = call("co-a", "coord/set", Map.of("path", "/app", "data", "v1", "version", 0));
    assertThat(stat(set)).containsEntry("version", 1).containsEntry("czxid", (int) czxid);
    assertThat(((Number) stat(set).get("mzxid")).longValue()).isGreaterThan(czxid);
    var read = call("co-a", "coord/get", Map.of("path", "/app"));
    assertThat(read.get("data")).isEqualTo("v1");
    assertThat(call("co-a", "coord/create", Map.of("path", "/app/c")).status()).isEqualTo(200);
    assertThat(stat(call("co-a", "coord/get", Map.of("path", "/app"))))
        .containsEntry("cversion", 1)
        .containsEntry("numChildren", 1);
    assertThat(call("co-a", "coord/delete", Map.of("path", "/app")).error()).isEqualTo("NotEmpty");
    assertThat(call("co-a", "coord/delete", Map.of("path", "/app/c")).status()).isEqualTo(200);
    assertThat(call("co-a", "coord/delete", Map.of("path", "/app", "version", 0)).error())
        .isEqualTo("BadVersion");
    assertThat(call("co-a", "coord/delete", Map.of("path", "/app", "version", 1)).status())
        .isEqualTo(200);
    assertThat(call("co-a", "coord/exists", Map.of("path", "/app")).get("exists")).isEqualTo(false);
  }

  @Test
  void errorsAreNodeExistsNoNodeBadVersionAndBadPaths() throws Exception {
    call("co-b", "coord/create", Map.of("path", "/x"));
    var exists = call("co-b", "coord/create", Map.of("path", "/x"));
    assertThat(exists.status()).isEqualTo(409);
    assertThat(exists.error()).isEqualTo("NodeExists");
    var orphan = call("co-b", "coord/create", Map.of("path", "/none/child"));
    assertThat(orphan.status()).isEqualTo(404);
    assertThat(orphan.error()).isEqualTo("NoNode");
    assertThat(orphan.get("path")).isEqualTo("/none");
    assertThat(call("co-b", "coord/get", Map.of("path", "/none")).error()).isEqualTo("NoNode");
    assertThat(call("co-b", "coord/set", Map.of("path", "/x", "version", 3)).error())
        .isEqualTo("BadVersion");
    for (var bad : List.of("x", "/x/", "//x", "/x/../y", "/a\u0001b")) {
      assertThat(call("co-b", "coord/create", Map.of("path", bad)).status()).as(bad).isEqualTo(400);
    }
    assertThat(call("co-b", "coord/create", Map.of("path", "/m", "mode", "odd")).status())
        .isEqualTo(400);
    assertThat(call("co-b", "coord/delete", Map.of("path", "/")).status()).isEqualTo(400);
  }

  @Test
  void sequentialNodesGetTenDigitSuffixesFromTheParentsChildVersion() throws Exception {
    call("co-c", "coord/create", Map.of("path", "/q"));
    var first = call("co-c", "coord/create", Map.of("path", "/q/n-", "mode", "sequential"));
    var second = call("co-c", "coord/create", Map.of("path", "/q/n-", "mode", "sequential"));
    assertThat(first.get("path")).isEqualTo("/q/n-0000000000");
    assertThat(second.get("path")).isEqualTo("/q/n-0000000001");
    assertThat(call("co-c", "coord/children", Map.of("path", "/q")).get("children"))
        .isEqualTo(List.of("n-0000000000", "n-0000000001"));
  }

  @Test
  void ephemeralNodesNeedALiveSessionAndCannotHaveChildren() throws Exception {
    var none = call("co-d", "coord/create", Map.of("path", "/e", "mode", "ephemeral"));
    assertThat(none.status()).isEqualTo(410);
    assertThat(none.error()).isEqualTo("SessionExpired");
    var session = session("co-d", 30_000);
    var foreign = session("co-other", 30_000);
    assertThat(
            call(
                    "co-d",
                    "coord/create",
                    Map.of("path", "/e", "mode", "ephemeral", "session", foreign))
                .error())
        .isEqualTo("SessionExpired");
    var e =
        call("co-d", "coord/create", Map.of("path", "/e", "mode", "ephemeral", "session", session));
    assertThat(stat(e)).containsEntry("ephemeralOwner", session);
    assertThat(call("co-d", "coord/create", Map.of("path", "/e/child")).error())
        .isEqualTo("NoChildrenForEphemerals");
    call("co-d", "sessions/close", Map.of("session", session));
    assertThat(call("co-d", "coord/exists", Map.of("path", "/e")).get("exists")).isEqualTo(false);
  }

  @Test
  void multiAppliesAllOrNothing() throws Exception {
    var failed =
        call(
            "co-e",
            "coord/multi",
            Map.of(
                "ops",
                List.of(
                    Map.of("op", "create", "path", "/one"),
                    Map.of("op", "create", "path", "/one/two"),
                    Map.of("op", "check", "path", "/one", "version", 4))));
    assertThat(failed.status()).isEqualTo(409);
    assertThat(failed.error()).isEqualTo("BadVersion");
    assertThat(failed.get("index")).isEqualTo(2);
    assertThat(call("co-e", "coord/exists", Map.of("path", "/one")).get("exists")).isEqualTo(false);
    var done =
        call(
            "co-e",
            "coord/multi",
            Map.of(
                "ops",
                List.of(
                    Map.of("op", "create", "path", "/one", "data", "a"),
                    Map.of("op", "create", "path", "/one/two"),
                    Map.of("op", "set", "path", "/one", "data", "b", "version", 0),
                    Map.of("op", "check", "path", "/one", "version", 1))));
    assertThat(done.status()).isEqualTo(200);
    assertThat((List<?>) done.get("results")).hasSize(4);
    var read = call("co-e", "coord/get", Map.of("path", "/one"));
    assertThat(read.get("data")).isEqualTo("b");
    // One transaction, one zxid: the node was created and changed by the same write.
    assertThat(stat(read).get("czxid")).isEqualTo(stat(read).get("mzxid"));
  }

  @Test
  void theNodeCountLimitIsNamedAndAFailedCreateLeavesNothing() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(call("co-f", "coord/create", Map.of("path", "/n" + i)).status()).isEqualTo(200);
    }
    var sixth = call("co-f", "coord/create", Map.of("path", "/n5"));
    assertThat(sixth.status()).isEqualTo(400);
    assertThat(sixth.get("limit")).isEqualTo("max-nodes-per-function");
    call("co-f", "coord/delete", Map.of("path", "/n0"));
    assertThat(call("co-f", "coord/create", Map.of("path", "/n5")).status()).isEqualTo(200);
  }

  @Test
  @SuppressWarnings("unchecked")
  void watchesFireOnceEachInTheOrderOfTheWrites() throws Exception {
    var watcher = session("co-g", 30_000);
    call("co-g", "coord/create", Map.of("path", "/w"));
    call("co-g", "coord/get", Map.of("path", "/w", "watch", watcher));
    call("co-g", "coord/children", Map.of("path", "/w", "watch", watcher));
    call("co-g", "coord/exists", Map.of("path", "/later", "watch", watcher));
    call("co-g", "coord/set", Map.of("path", "/w", "data", "1"));
    call("co-g", "coord/set", Map.of("path", "/w", "data", "2")); // the data watch is spent
    call("co-g", "coord/create", Map.of("path", "/w/c"));
    call("co-g", "coord/create", Map.of("path", "/w/d")); // the children watch is spent
    call("co-g", "coord/create", Map.of("path", "/later"));
    var events = new ArrayList<Map<String, Object>>();
    long after = 0;
    while (events.size() < 3) {
      var poll =
          call(
              "co-g",
              "sessions/events",
              Map.of("session", watcher, "after", after, "waitMs", 5000));
      for (var event : (List<Map<String, Object>>) poll.get("events")) {
        events.add(event);
        after = ((Number) event.get("seq")).longValue();
      }
    }
    assertThat(events)
        .extracting(e -> e.get("type") + " " + e.get("path"))
        .containsExactly("NodeDataChanged /w", "NodeChildrenChanged /w", "NodeCreated /later");
    assertThat(events).extracting(e -> ((Number) e.get("zxid")).longValue()).isSorted();
    var nothingMore =
        call("co-g", "sessions/events", Map.of("session", watcher, "after", after, "waitMs", 300));
    assertThat(nothingMore.get("events")).isEqualTo(List.of());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aLongPollReturnsAsSoonAsItsWatchFires() throws Exception {
    var watcher = session("co-h", 30_000);
    call("co-h", "coord/create", Map.of("path", "/p"));
    call("co-h", "coord/get", Map.of("path", "/p", "watch", watcher));
    var poll =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return call(
                    "co-h", "sessions/events", Map.of("session", watcher, "waitMs", 30_000));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    call("co-h", "coord/delete", Map.of("path", "/p"));
    var events =
        (List<Map<String, Object>>)
            poll.get(25, java.util.concurrent.TimeUnit.SECONDS).get("events");
    assertThat(events).extracting(e -> e.get("type")).containsExactly("NodeDeleted");
  }

  @Test
  @SuppressWarnings("unchecked")
  void anExpiredSessionLosesItsEphemeralsAndItsWatchersAreTold() throws Exception {
    var holder = session("co-i", 1_000);
    var observer = session("co-i", 60_000);
    call("co-i", "coord/create", Map.of("path", "/lock", "mode", "ephemeral", "session", holder));
    call("co-i", "coord/exists", Map.of("path", "/lock", "watch", observer));
    call("co-i", "coord/get", Map.of("path", "/lock", "watch", holder));
    Awaitility.await("the holder's session expires")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                call("co-i", "coord/exists", Map.of("path", "/lock")).get("exists").equals(false));
    var toObserver = call("co-i", "sessions/events", Map.of("session", observer, "waitMs", 5000));
    assertThat((List<Map<String, Object>>) toObserver.get("events"))
        .extracting(e -> e.get("type") + " " + e.get("path"))
        .containsExactly("NodeDeleted /lock");
    var toHolder = call("co-i", "sessions/events", Map.of("session", holder));
    assertThat((List<Map<String, Object>>) toHolder.get("events"))
        .extracting(e -> e.get("type"))
        .containsExactly("SessionExpired");
    assertThat(call("co-i", "sessions/heartbeat", Map.of("session", holder)).status())
        .isEqualTo(410);
  }

  @Test
  void heartbeatsKeepASessionAlivePastItsTimeout() throws Exception {
    var session = session("co-j", 1_000);
    call("co-j", "coord/create", Map.of("path", "/alive", "mode", "ephemeral", "session", session));
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < until) {
      assertThat(call("co-j", "sessions/heartbeat", Map.of("session", session)).status())
          .isEqualTo(200);
      // A poll that waits a little is the pacing, and a heartbeat too.
      call("co-j", "sessions/events", Map.of("session", session, "waitMs", 200));
    }
    assertThat(call("co-j", "coord/exists", Map.of("path", "/alive")).get("exists"))
        .isEqualTo(true);
  }

  @Test
  void sessionsBelongToTheirFunction() throws Exception {
    var session = session("co-k", 30_000);
    assertThat(call("co-l", "sessions/heartbeat", Map.of("session", session)).error())
        .isEqualTo("NoSession");
    assertThat(call("co-l", "sessions/events", Map.of("session", session)).status()).isEqualTo(404);
    assertThat(call("co-k", "sessions/open", Map.of("timeoutMs", 10)).status()).isEqualTo(400);
  }
}
