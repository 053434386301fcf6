package io.stoke.state;

import io.stoke.state.coord.CoordService;
import io.stoke.state.coord.EventNotifier;
import io.stoke.state.coord.SessionReaper;
import io.stoke.state.coord.SessionService;
import io.stoke.state.http.HttpTransport;
import io.stoke.state.http.SocketListeners;
import io.stoke.state.http.StateRouter;
import io.stoke.state.http.StateServer;
import io.stoke.state.kv.KvService;
import io.stoke.state.redis.LuaScript;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Wires Redis, the scripts, the services and the HTTP listener. */
@Configuration(proxyBeanMethods = false)
public class StateConfiguration {

  @Bean(destroyMethod = "close")
  UnifiedJedis redis(@Value("${stoke.redis-url:redis://127.0.0.1:6379}") URI redisUrl) {
    var pool = new ConnectionPoolConfig();
    // Every request blocks a virtual thread on one connection; long-polls hold none while waiting.
    pool.setMaxTotal(64);
    pool.setMaxIdle(64);
    pool.setMaxWait(Duration.ofSeconds(2));
    return RedisClient.builder().fromURI(redisUrl).poolConfig(pool).build();
  }

  @Bean
  Limits limits(StateProperties properties) {
    return new Limits(properties.limits());
  }

  @Bean(destroyMethod = "close")
  EventNotifier eventNotifier(UnifiedJedis redis) {
    return new EventNotifier(redis);
  }

  @Bean(destroyMethod = "close")
  SessionReaper sessionReaper(UnifiedJedis redis, StateProperties properties) {
    return new SessionReaper(LuaScript.load("coord", redis), properties.reapInterval());
  }

  @Bean
  StateRouter stateRouter(
      UnifiedJedis redis, Limits limits, EventNotifier notifier, StateProperties properties) {
    var coordScript = LuaScript.load("coord", redis);
    return new StateRouter(
        new KvService(LuaScript.load("kv", redis), limits),
        new CoordService(coordScript, limits),
        new SessionService(coordScript, LuaScript.load("events", redis), notifier, properties));
  }

  // close() lets operations in flight finish; the listener stops first (it depends on this).
  @Bean(destroyMethod = "close")
  ExecutorService virtualThreads() {
    return Executors.newVirtualThreadPerTaskExecutor();
  }

  @Bean
  HttpTransport httpTransport(
      StateRouter router, StateProperties properties, ExecutorService virtualThreads) {
    return new HttpTransport(router, properties.limits().maxBodyBytes(), virtualThreads);
  }

  /** The per-function Unix sockets, when {@code stoke.state.socket-root} is set. */
  @Bean(destroyMethod = "close")
  @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression(
      "'${stoke.state.socket-root:}' != ''")
  SocketListeners socketListeners(HttpTransport transport, StateProperties properties)
      throws java.io.IOException {
    return new SocketListeners(
        java.nio.file.Path.of(properties.socketRoot()), transport, Duration.ofMillis(500));
  }

  @Bean(destroyMethod = "close")
  StateServer stateServer(HttpTransport transport, StateProperties properties) {
    return new StateServer(transport, properties.bind(), properties.port());
  }
}
