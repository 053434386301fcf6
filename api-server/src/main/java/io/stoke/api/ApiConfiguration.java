package io.stoke.api;

import io.stoke.common.contract.InternalSecret;
import io.stoke.common.management.ManagementAccess;
import io.stoke.common.registry.FunctionCatalog;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Wires the api-server: Redis, the identity filter, users, functions, activations. */
@Configuration(proxyBeanMethods = false)
class ApiConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Every waiting invocation holds a connection in BLPOP, so the pool is sized for them. */
  @Bean(destroyMethod = "close")
  UnifiedJedis redis(ApiProperties properties) {
    var pool = new ConnectionPoolConfig();
    pool.setMaxTotal(properties.exec().maxParallel() * 2 + 16);
    pool.setMaxIdle(32);
    return RedisClient.builder().fromURI(properties.redisUrl()).poolConfig(pool).build();
  }

  @Bean
  InternalSecret internalSecret(UnifiedJedis redis, ApiProperties properties) {
    return InternalSecret.resolve(redis, properties.internalSecret());
  }

  @Bean
  FilterRegistrationBean<IdentityFilter> identityFilter(
      InternalSecret secret, UnifiedJedis redis, ApiProperties properties, Clock clock) {
    var filter =
        new IdentityFilter(
            secret,
            new RateLimiter(redis, properties.registrationsPerMinute(), clock),
            properties.maxBodySize().toBytes());
    var registration = new FilterRegistrationBean<>(filter);
    registration.setOrder(Integer.MIN_VALUE + 100);
    return registration;
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
  Users users(UnifiedJedis redis, Clock clock) {
    return new Users(redis, clock);
  }

  @Bean
  ImageCheck imageCheck(ApiProperties properties, InternalSecret secret) {
    return new ImageCheck(properties.orchestratorUrl(), secret);
  }

  @Bean
  UserFunctions userFunctions(
      UnifiedJedis redis, ImageCheck images, ApiProperties properties, Clock clock) {
    return new UserFunctions(redis, images, properties.exec(), clock);
  }

  @Bean
  Activations activations(UnifiedJedis redis, ApiProperties properties, Clock clock) {
    return new Activations(redis, properties.exec(), clock);
  }

  @Bean
  FunctionCatalog functionCatalog(UnifiedJedis redis) {
    return new FunctionCatalog(redis);
  }
}
