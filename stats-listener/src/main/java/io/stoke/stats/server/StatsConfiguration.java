package io.stoke.stats.server;

import io.stoke.common.management.ManagementAccess;
import io.stoke.stats.ingest.IngestCounters;
import java.net.URI;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
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

  /** Keeps {@code /actuator} but health and info to the holder of {@code stoke.metrics-token}. */
  @Bean
  FilterRegistrationBean<ManagementAccessFilter> managementAccessFilter(
      @Value("${stoke.metrics-token:}") String token) {
    var filter = new ManagementAccessFilter(new ManagementAccess(token, "stoke.metrics-token"));
    var registration = new FilterRegistrationBean<>(filter);
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
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
