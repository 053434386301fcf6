package io.stoke.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.contract.InstanceState;
import io.stoke.common.definition.DefinitionLoader;
import io.stoke.common.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

class RegistryIT {

  static RedisServer server;
  static RedisClient redis;

  @BeforeAll
  static void start() {
    server = RedisServer.start();
    redis = RedisClient.create(URI.create(server.url()));
  }

  @AfterAll
  static void stop() {
    redis.close();
    server.close();
  }

  @BeforeEach
  void flush() {
    redis.flushAll();
  }

  private static Instance instance(String id, String function, InstanceState state, long started) {
    return new Instance(id, function, "1", "d", "127.0.0.1", 4000, state, "c-" + id, started, 0);
  }

  @Test
  void storesAndRemovesInstancesPerFunction() {
    var registry = new InstanceRegistry(redis);
    registry.put(instance("b", "hello", InstanceState.STARTING, 2));
    registry.put(instance("a", "hello", InstanceState.READY, 1));
    registry.put(instance("c", "echo", InstanceState.DRAINING, 3));

    assertThat(registry.instances("hello")).extracting(Instance::id).containsExactly("a", "b");
    assertThat(registry.all()).containsOnlyKeys("echo", "hello");
    assertThat(registry.instances("echo").getFirst().state()).isEqualTo(InstanceState.DRAINING);

    assertThat(registry.remove("hello", "a")).isTrue();
    assertThat(registry.remove("hello", "a")).isFalse();
    assertThat(registry.instances("hello")).extracting(Instance::id).containsExactly("b");
  }

  @Test
  void publishesFunctionsAndAnnouncesOnlyRealChanges() throws Exception {
    var catalog = new FunctionCatalog(redis);
    var events = new CopyOnWriteArrayList<InstanceEvent>();
    var connected = new AtomicInteger();
    try (var subscription =
        EventSubscription.start(redis, "test-events", connected::incrementAndGet, events::add)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> connected.get() == 1);
      var loader = new DefinitionLoader(null);
      var two =
          loader.parse(
              "functions:\n  - {name: a, runtime: python}\n  - {name: b, runtime: java}\n", "t");
      var one = loader.parse("functions:\n  - {name: b, runtime: java}\n", "t");

      catalog.publish(two, 1);
      catalog.publish(two, 2);
      catalog.publish(one, 3);

      assertThat(catalog.read()).isEqualTo(one);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(events)
                      .extracting(InstanceEvent::type, InstanceEvent::at)
                      .containsExactly(
                          org.assertj.core.groups.Tuple.tuple(
                              InstanceEvent.Type.FUNCTIONS_CHANGED, 1L),
                          org.assertj.core.groups.Tuple.tuple(
                              InstanceEvent.Type.FUNCTIONS_CHANGED, 3L)));
    }
  }

  @Test
  void subscriptionDeliversInstanceEvents() {
    var registry = new InstanceRegistry(redis);
    var events = new CopyOnWriteArrayList<InstanceEvent>();
    var connected = new AtomicInteger();
    try (var subscription =
        EventSubscription.start(redis, "test-events", connected::incrementAndGet, events::add)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> connected.get() == 1);
      var ready = instance("x", "hello", InstanceState.READY, 1);

      registry.publish(InstanceEvent.of(InstanceEvent.Type.READY, ready, 5));

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(events)
                      .isEqualTo(
                          List.of(
                              new InstanceEvent(InstanceEvent.Type.READY, "hello", "x", "", 5))));
    }
  }
}
