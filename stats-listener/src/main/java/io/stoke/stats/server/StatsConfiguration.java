package io.stoke.stats.server;

import io.stoke.stats.ingest.IngestCounters;
import java.net.URI;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Wires the receiver, the ingest counters and the Redis writer. */
@Configuration(proxyBeanMethods = false)
public class StatsConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  IngestCounters ingestCounters() {
    return new IngestCounters();
  }

  @Bean(destroyMethod = "close")
  UnifiedJedis redis(@Value("${stoke.redis-url:redis://127.0.0.1:6379}") URI redisUrl) {
    return RedisClient.create(redisUrl);
  }

  @Bean
  RedisLoadWriter redisLoadWriter(
      UnifiedJedis redis, StatsProperties properties, IngestCounters counters) {
    return new RedisLoadWriter(redis, properties.loadTtl(), counters);
  }

  @Bean
  UdpReceiver udpReceiver(
      StatsProperties properties, IngestCounters counters, Clock clock, RedisLoadWriter writer) {
    return new UdpReceiver(properties, counters, clock, writer);
  }
}
