package io.stoke.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.stoke.common.registry.EventSubscription;
import java.net.InetSocketAddress;
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

  @Bean(destroyMethod = "close")
  SnapshotPublisher snapshotPublisher(
      UnifiedJedis redis, SimpleCache<String> cache, XdsProperties properties) {
    var publisher =
        new SnapshotPublisher(
            new RedisClusterState(redis),
            new SnapshotTranslator(properties.translatorSettings()),
            cache,
            properties.group(),
            properties.debounce());
    publisher.resyncEvery(properties.resyncInterval());
    return publisher;
  }

  /** Follows registry events; every (re)connection triggers a full resync. */
  @Bean(destroyMethod = "close")
  EventSubscription registryEvents(UnifiedJedis redis, SnapshotPublisher publisher) {
    return EventSubscription.start(
        redis, "xds-registry-events", publisher::requestResync, event -> publisher.requestResync());
  }

  @Bean(destroyMethod = "close")
  AdsServer adsServer(XdsProperties properties, SimpleCache<String> cache, DiscoveryStats stats) {
    return AdsServer.start(new InetSocketAddress(properties.port()), cache, stats);
  }
}
