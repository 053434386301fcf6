package io.stoke.stats.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.stoke.common.management.ManagementAccess;
import io.stoke.stats.ingest.IngestCounters;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.function.Supplier;
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
  KernelDrops kernelDrops() {
    return new KernelDrops(Path.of("/proc/net"));
  }

  /**
   * What the kernel dropped before the listener read it: {@code stoke.stats.udp.drops} per socket
   * (NaN where /proc/net/udp is unavailable) and the namespace-wide {@code
   * stoke.stats.udp.rcvbuf.errors}.
   */
  @Bean
  MeterBinder kernelDropMeters(UdpReceiver receiver, KernelDrops drops) {
    return registry -> {
      socketDrops(registry, "statsd", () -> drops.socketDrops(receiver.localPort()));
      socketDrops(registry, "gateway", () -> drops.socketDrops(receiver.gatewayPort()));
      Gauge.builder("stoke.stats.udp.rcvbuf.errors", () -> valueOf(drops.receiveBufferErrors()))
          .description("UDP datagrams the kernel dropped for full receive buffers, all sockets")
          .register(registry);
    };
  }

  private static void socketDrops(
      MeterRegistry registry, String socket, Supplier<OptionalLong> drops) {
    Gauge.builder("stoke.stats.udp.drops", () -> valueOf(drops.get()))
        .description("datagrams the kernel dropped at this socket before the listener read them")
        .tag("socket", socket)
        .register(registry);
  }

  private static double valueOf(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : Double.NaN;
  }

  @Bean
  UdpReceiver udpReceiver(
      StatsProperties properties, IngestCounters counters, Clock clock, RedisLoadWriter writer) {
    return new UdpReceiver(properties, counters, clock, writer);
  }
}
