package io.stoke.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.registry.EventSubscription;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Wires Redis, the snapshot cache, the publisher and the ADS server. */
@Configuration(proxyBeanMethods = false)
class XdsConfiguration {

  @Bean(destroyMethod = "close")
  UnifiedJedis redis(RedisProperties properties) {
    return RedisClient.create(properties.redisUrl());
  }

  @Bean
  SimpleCache<String> snapshotCache(XdsProperties properties) {
    // Every Envoy and xDS client shares one group: they all serve the same functions.
    String group = properties.group();
    return new SimpleCache<>(node -> group);
  }

  @Bean
  DiscoveryStats discoveryStats() {
    return new DiscoveryStats();
  }

  /** Writes the routed sets, in order, and retries the ones Redis did not take every second. */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService routedWrites() {
    return Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("xds-routed").factory());
  }

  /** Which instances every xDS client routes to, for the gateway in envoy mode. */
  @Bean
  RoutedInstances routedInstances(UnifiedJedis redis, ScheduledExecutorService routedWrites) {
    var routed = new RoutedInstances(RoutedInstances.redisWriter(redis), routedWrites);
    routedWrites.scheduleWithFixedDelay(routed::retry, 1, 1, TimeUnit.SECONDS);
    return routed;
  }

  @Bean(destroyMethod = "close")
  SnapshotPublisher snapshotPublisher(
      UnifiedJedis redis,
      SimpleCache<String> cache,
      XdsProperties properties,
      RoutedInstances routed) {
    var publisher =
        new SnapshotPublisher(
            new RedisClusterState(redis),
            new SnapshotTranslator(properties.translatorSettings()),
            cache,
            properties.group(),
            properties.debounce(),
            routed::published);
    publisher.resyncEvery(properties.resyncInterval());
    return publisher;
  }

  /** Follows registry events; every (re)connection triggers a full resync. */
  @Bean(destroyMethod = "close")
  EventSubscription registryEvents(UnifiedJedis redis, SnapshotPublisher publisher) {
    return EventSubscription.start(
        redis,
        "xds-registry-events",
        publisher::requestResync,
        event -> {
          if (event.type() != InstanceEvent.Type.ROUTED) { // this control plane's own
            publisher.requestResync();
          }
        });
  }

  @Bean(destroyMethod = "close")
  AdsServer adsServer(
      XdsProperties properties,
      SimpleCache<String> cache,
      DiscoveryStats stats,
      RoutedInstances routed) {
    return AdsServer.start(properties.adsAddress(), cache, List.of(stats, routed));
  }
}
