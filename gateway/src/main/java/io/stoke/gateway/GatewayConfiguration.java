package io.stoke.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import io.stoke.common.definition.FunctionDefinition;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Wires the gateway: Redis, the function table, its follower and reporter, and the proxy. */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "close")
  UnifiedJedis redis(StokeProperties properties) {
    return RedisClient.create(properties.redisUrl());
  }

  /** Runs every Redis call of the gateway, so none runs on an event loop. */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService redisExecutor() {
    return Executors.newScheduledThreadPool(
        2, Thread.ofPlatform().daemon().name("stoke-gateway-redis-", 0).factory());
  }

  @Bean
  GatewayMetrics gatewayMetrics(MeterRegistry registry) {
    return new GatewayMetrics(registry);
  }

  @Bean
  RedisReporter redisReporter(
      UnifiedJedis redis, ScheduledExecutorService redisExecutor, Clock clock) {
    return new RedisReporter(redis, redisExecutor, clock);
  }

  @Bean
  FunctionTable functionTable(
      StokeProperties properties, Clock clock, RedisReporter reporter, GatewayMetrics metrics) {
    var settings = properties.gateway();
    return new FunctionTable(
        clock,
        settings.demandInterval(),
        reporter::demand,
        metrics::register,
        metrics::unregister,
        settings.mode() == StokeProperties.Mode.DIRECT);
  }

  @Bean(destroyMethod = "close")
  RegistryFollower registryFollower(
      UnifiedJedis redis,
      FunctionTable table,
      ScheduledExecutorService redisExecutor,
      StokeProperties properties,
      RedisReporter reporter) {
    var settings = properties.gateway();
    var follower = new RegistryFollower(redis, table, redisExecutor, settings.resyncInterval());
    follower.start();
    long flushMs = settings.activityFlushInterval().toMillis();
    redisExecutor.scheduleWithFixedDelay(
        () -> reporter.flushActivity(table.all()), flushMs, flushMs, TimeUnit.MILLISECONDS);
    return follower;
  }

  /**
   * The client to instances and Envoy. No response timeout and no pool-acquire timeout shorter than
   * the longest function timeout: each request's own deadline is the only one. Reactor Netty's
   * automatic retry is off, because a request that reached a function is never retried.
   */
  @Bean
  HttpClient functionClient(StokeProperties properties) {
    var pool =
        ConnectionProvider.builder("stoke-functions")
            .maxConnections(4096)
            .pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(FunctionDefinition.MAX_TIMEOUT)
            .maxIdleTime(java.time.Duration.ofSeconds(30))
            .build();
    return HttpClient.create(pool)
        .disableRetry(true)
        .keepAlive(true)
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) properties.gateway().connectTimeout().toMillis());
  }

  @Bean
  ProxyHandler proxyHandler(
      FunctionTable table,
      RegistryFollower follower,
      HttpClient functionClient,
      GatewayMetrics metrics,
      StokeProperties properties) {
    return new ProxyHandler(table, follower, functionClient, metrics, properties.gateway());
  }

  @Bean
  FunctionHandlerMapping functionHandlerMapping(ProxyHandler proxyHandler) {
    return new FunctionHandlerMapping(proxyHandler);
  }
}
