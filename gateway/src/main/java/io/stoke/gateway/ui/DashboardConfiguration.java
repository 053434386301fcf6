package io.stoke.gateway.ui;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stoke.common.registry.EventSubscription;
import io.stoke.gateway.FunctionTable;
import io.stoke.gateway.StokeProperties;
import io.stoke.gateway.auth.ApiKeyAuthenticator;
import java.time.Clock;
import java.util.LinkedHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import redis.clients.jedis.UnifiedJedis;

/** Wires the dashboard: its sampler, its event log, its API and its assets under {@code /ui/}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DashboardProperties.class)
public class DashboardConfiguration {

  /** Where the dashboard module puts its built assets on the class path. */
  static final String ASSETS = "stoke-dashboard/";

  @Bean(destroyMethod = "close")
  Sampler dashboardSampler(
      FunctionTable table,
      ObjectProvider<PrometheusMeterRegistry> prometheus,
      MeterRegistry registry,
      Clock clock,
      DashboardProperties properties) {
    // The Prometheus registry keeps the latency histograms the percentiles are read from.
    MeterRegistry source = prometheus.getIfAvailable();
    if (source == null) {
      source = registry;
    }
    var sampler = new Sampler(table, new MeterReader(source), clock, properties.samples());
    sampler.start();
    return sampler;
  }

  @Bean
  EventLog dashboardEvents() {
    return new EventLog();
  }

  @Bean(destroyMethod = "close")
  EventSubscription dashboardEventSubscription(UnifiedJedis redis, EventLog events) {
    return EventSubscription.start(redis, "stoke-dashboard-events", () -> {}, events::accept);
  }

  @Bean
  DashboardHandler dashboardHandler(
      UnifiedJedis redis,
      FunctionTable table,
      Sampler sampler,
      EventLog events,
      StokeProperties stoke,
      DashboardProperties properties,
      Clock clock) {
    var blocking = Schedulers.boundedElastic();
    var client = HttpClient.create(ConnectionProvider.create("stoke-dashboard", 64));
    var services = new LinkedHashMap<>(properties.health());
    services.putIfAbsent("api-server", stoke.api().url().resolve("/actuator/health"));
    return new DashboardHandler(
        new DashboardAccess(
            new ApiKeyAuthenticator(redis), stoke.gateway().metricsToken(), blocking),
        new DashboardViews(table, sampler, events, redis),
        new PlatformHealth(redis, services, client, blocking),
        new TryIt(client.disableRetry(true)),
        clock,
        blocking);
  }

  @Bean
  RouterFunction<ServerResponse> dashboardRoutes(DashboardHandler handler) {
    var index = new ClassPathResource(ASSETS + "index.html");
    return RouterFunctions.route()
        .POST("/ui/api/login", handler::login)
        .POST("/ui/api/logout", handler::logout)
        .GET("/ui/api/session", handler::session)
        .GET("/ui/api/stream/functions", handler::functionsStream)
        .GET("/ui/api/stream/functions/{name}", handler::functionStream)
        .GET("/ui/api/stream/platform", handler::platformStream)
        .POST("/ui/api/try", handler::tryIt)
        .GET(
            "/ui", request -> ServerResponse.permanentRedirect(java.net.URI.create("/ui/")).build())
        .GET(
            "/ui/",
            request ->
                ServerResponse.ok()
                    .contentType(MediaType.TEXT_HTML)
                    .cacheControl(CacheControl.noCache())
                    .bodyValue(index))
        .add(RouterFunctions.resources("/ui/**", new ClassPathResource(ASSETS)))
        .build();
  }
}
