package io.stoke.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.netty.util.ResourceLeakDetector;
import io.stoke.common.contract.InternalSecret;
import io.stoke.gateway.auth.ApiKeyAuthenticator;
import io.stoke.gateway.auth.ApiProxyHandler;
import io.stoke.gateway.auth.AuthWebFilter;
import io.stoke.gateway.cache.ResultCaches;
import io.stoke.gateway.connection.ConnectionGuard;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.ConnectionProvider;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Wires the gateway: Redis, the function table, its follower and reporter, and the proxy. */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

  static {
    // Netty samples buffers for leak reports by default, building a stack trace per sample on the
    // request path. Off unless asked for with -Dio.netty.leakDetection.level.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * Redis, with connections for every thread that may use it at once (the event subscription, the
   * reporter's threads and the blocking API-key lookups, up to ten per core) and a bounded wait for
   * one when Redis stalls: a lookup then fails after two seconds with a 503 instead of waiting
   * forever behind the pool's default eight connections.
   */
  @Bean(destroyMethod = "close")
  UnifiedJedis redis(StokeProperties properties) {
    var pool = new ConnectionPoolConfig();
    pool.setMaxTotal(8 + 10 * Runtime.getRuntime().availableProcessors());
    pool.setMaxWait(Duration.ofSeconds(2));
    return RedisClient.builder().fromURI(properties.redisUrl()).poolConfig(pool).build();
  }

  /** Runs every Redis call of the gateway, so none runs on an event loop. */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService redisExecutor() {
    return Executors.newScheduledThreadPool(
        2, Thread.ofPlatform().daemon().name("stoke-gateway-redis-", 0).factory());
  }

  /**
   * StatsD carries the load reports the stats listener reads ({@code stoke.*} but the instance
   * counts by state) and nothing else. The JVM's and the web server's own meters stay on {@code
   * /actuator/prometheus}: polling them ten times a second (reading /proc each time) and sending
   * them over UDP cost the gateway about 6% of its CPU under load, and idle CPU when there was
   * none.
   */
  @Bean
  MeterRegistryCustomizer<StatsdMeterRegistry> statsdCarriesLoadReportsOnly() {
    return registry ->
        registry
            .config()
            .meterFilter(
                MeterFilter.denyUnless(
                    id ->
                        id.getName().startsWith("stoke.")
                            && !id.getName().equals(GatewayMetrics.INSTANCES)
                            // Cache counts are for the operator, not load for the autoscaler.
                            && !id.getName().startsWith(ResultCaches.METER_PREFIX)));
  }

  /** Latency percentiles for the operator: histogram buckets on Prometheus only. */
  @Bean
  MeterRegistryCustomizer<PrometheusMeterRegistry> prometheusLatencyHistograms() {
    return registry -> registry.config().meterFilter(GatewayMetrics.latencyHistograms());
  }

  /** Requests the server cannot decode get the gateway's JSON error, not an empty 400. */
  @Bean
  NettyServerCustomizer malformedRequests() {
    return MalformedRequests.customizer();
  }

  /**
   * At most {@code max-connections-per-client} connections per client address, and a bound on the
   * time a request head may take to arrive (slow clients cannot hold connections).
   */
  @Bean
  ConnectionGuard connectionGuard(StokeProperties properties) {
    var settings = properties.gateway();
    return new ConnectionGuard(settings.maxConnectionsPerClient(), settings.requestHeadTimeout());
  }

  @Bean
  NettyServerCustomizer connectionGuardOnEveryConnection(ConnectionGuard guard) {
    return guard.customizer();
  }

  /**
   * The server's event loops: {@link SpinningEventLoops} when a spin is configured and epoll is
   * there, else Reactor Netty's shared ones. (The management API's client keeps Reactor Netty's
   * global loops; its answers are moved to the caller's loop, see ApiProxyHandler.)
   */
  @Bean
  ReactorResourceFactory reactorResourceFactory(StokeProperties properties) {
    var factory = new ReactorResourceFactory();
    var spin = properties.gateway().ioSpin();
    if (SpinningEventLoops.available(spin)) {
      factory.setUseGlobalResources(false);
      factory.setLoopResourcesSupplier(() -> new SpinningEventLoops(spin));
      // Disposed after the server finished its calls: nothing is left to wait quietly for.
      factory.setShutdownQuietPeriod(Duration.ZERO);
    }
    return factory;
  }

  @Bean
  GatewayMetrics gatewayMetrics(MeterRegistry registry) {
    return new GatewayMetrics(registry);
  }

  @Bean
  ResultCaches resultCaches(StokeProperties properties, Clock clock, MeterRegistry registry) {
    return new ResultCaches(properties.cache(), clock, registry);
  }

  @Bean
  RedisReporter redisReporter(
      UnifiedJedis redis, ScheduledExecutorService redisExecutor, Clock clock) {
    return new RedisReporter(redis, redisExecutor, clock);
  }

  @Bean
  FunctionTable functionTable(
      StokeProperties properties,
      Clock clock,
      RedisReporter reporter,
      GatewayMetrics metrics,
      ResultCaches caches) {
    var settings = properties.gateway();
    return new FunctionTable(
        clock,
        settings.demandInterval(),
        reporter::demand,
        metrics::register,
        gate -> {
          metrics.unregister(gate);
          caches.forget(gate.name());
        },
        settings.mode() == StokeProperties.Mode.DIRECT);
  }

  @Bean(destroyMethod = "close")
  RegistryFollower registryFollower(
      UnifiedJedis redis,
      FunctionTable table,
      ScheduledExecutorService redisExecutor,
      StokeProperties properties,
      RedisReporter reporter,
      Clock clock) {
    var settings = properties.gateway();
    // One thread of its own: full resyncs and per-function refreshes then apply in the order they
    // read, so an older view of the registry never lands on top of a newer one.
    var registryReads =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("stoke-gateway-registry").factory());
    var follower =
        new RegistryFollower(
            redis,
            table,
            registryReads,
            settings.resyncInterval(),
            settings.mode() == StokeProperties.Mode.ENVOY,
            clock);
    follower.start();
    long flushMs = settings.activityFlushInterval().toMillis();
    redisExecutor.scheduleWithFixedDelay(
        () -> {
          reporter.flushActivity(table.activityGates());
          table.forgetReported();
        },
        flushMs,
        flushMs,
        TimeUnit.MILLISECONDS);
    return follower;
  }

  /**
   * The connections to instances and Envoy, kept per event loop. No response timeout: each
   * request's own deadline is the only one. Nothing is retried, because a request that reached a
   * function is never retried.
   */
  @Bean(destroyMethod = "close")
  Upstreams upstreams(StokeProperties properties) {
    var blocking = Schedulers.boundedElastic();
    return new Upstreams(properties.gateway().connectTimeout(), task -> blocking.schedule(task));
  }

  @Bean
  FunctionProxy functionProxy(
      FunctionTable table,
      RegistryFollower follower,
      Upstreams upstreams,
      GatewayMetrics metrics,
      StokeProperties properties,
      ResultCaches caches) {
    return new FunctionProxy(table, follower, upstreams, metrics, properties.gateway(), caches);
  }

  /** Plain function calls, served by Reactor Netty ahead of WebFlux. */
  @Bean
  FunctionRoutes functionRoutes(FunctionProxy proxy, FunctionTable table) {
    return new FunctionRoutes(proxy, table);
  }

  /** Function calls that passed WebFlux's filters (authentication). */
  @Bean
  ProxyHandler proxyHandler(FunctionProxy proxy) {
    return new ProxyHandler(proxy);
  }

  @Bean
  InternalSecret internalSecret(UnifiedJedis redis, StokeProperties properties) {
    return InternalSecret.resolve(redis, properties.api().internalSecret());
  }

  @Bean
  io.stoke.gateway.auth.ManagementAccessFilter managementAccessFilter(StokeProperties properties) {
    return new io.stoke.gateway.auth.ManagementAccessFilter(properties.gateway().metricsToken());
  }

  @Bean
  AuthWebFilter authWebFilter(UnifiedJedis redis, FunctionTable table, Clock clock) {
    return new AuthWebFilter(
        new ApiKeyAuthenticator(redis),
        table,
        reactor.core.scheduler.Schedulers.boundedElastic(),
        clock);
  }

  @Bean
  ApiProxyHandler apiProxyHandler(StokeProperties properties, InternalSecret secret) {
    return new ApiProxyHandler(
        reactor.netty.http.client.HttpClient.create(ConnectionProvider.create("stoke-api", 512))
            .disableRetry(true),
        properties.api().url(),
        secret,
        (int) Math.min(Integer.MAX_VALUE, properties.gateway().maxBodySize().toBytes()));
  }

  @Bean
  FunctionHandlerMapping functionHandlerMapping(
      ProxyHandler proxyHandler, ApiProxyHandler apiProxyHandler, FunctionTable table) {
    return new FunctionHandlerMapping(proxyHandler, apiProxyHandler, table);
  }
}
