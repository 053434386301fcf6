package io.stoke.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.stoke.common.contract.Instance;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.registry.EventSubscription;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.common.testing.RedisServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The control plane wired as the application wires it, against a real redis-server, with the ADS
 * server on a free loopback port.
 */
final class ControlPlaneHarness implements AutoCloseable {

  static final String GROUP = "stoke";

  final RedisServer redisServer;
  final UnifiedJedis redis;
  final FunctionCatalog catalog;
  final InstanceRegistry registry;
  final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
  final DiscoveryStats stats = new DiscoveryStats();
  final RoutedInstances routed;
  final SnapshotPublisher publisher;
  private final EventSubscription subscription;
  final AdsServer server;

  private ControlPlaneHarness(RedisServer redisServer, FunctionDefinitions functions) {
    this.redisServer = redisServer;
    this.redis = RedisClient.create(redisServer.url());
    this.catalog = new FunctionCatalog(redis);
    this.registry = new InstanceRegistry(redis);
    catalog.publish(functions, System.currentTimeMillis());
    this.routed = new RoutedInstances(RoutedInstances.redisWriter(redis), Runnable::run);
    this.publisher =
        new SnapshotPublisher(
            new RedisClusterState(redis),
            new SnapshotTranslator(TranslatorSettings.DEFAULT),
            cache,
            GROUP,
            Duration.ofMillis(30),
            routed::published);
    this.subscription =
        EventSubscription.start(
            redis,
            "test-xds-events",
            publisher::requestResync,
            e -> {
              if (e.type() != InstanceEvent.Type.ROUTED) {
                publisher.requestResync();
              }
            });
    this.server =
        AdsServer.start(new InetSocketAddress("127.0.0.1", 0), cache, List.of(stats, routed));
  }

  static ControlPlaneHarness start(FunctionDefinitions functions) {
    var redisServer = RedisServer.start();
    try {
      return new ControlPlaneHarness(redisServer, functions);
    } catch (RuntimeException e) {
      redisServer.close();
      throw e;
    }
  }

  /** Puts an instance into the registry and announces it, as the orchestrator does. */
  void put(Instance instance, InstanceEvent.Type type) {
    registry.put(instance);
    registry.publish(InstanceEvent.of(type, instance, System.currentTimeMillis()));
  }

  /** Removes an instance from the registry and announces it. */
  void remove(Instance instance) {
    registry.remove(instance.function(), instance.id());
    registry.publish(
        InstanceEvent.of(InstanceEvent.Type.REMOVED, instance, System.currentTimeMillis()));
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    subscription.close();
    publisher.close();
    redis.close();
    redisServer.close();
  }
}
