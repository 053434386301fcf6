package io.stoke.gateway.ui;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The platform page's checks: this gateway, a Redis PING and each configured service's {@code
 * /actuator/health} (the orchestrator's includes the Docker engine), each with its latency.
 */
final class PlatformHealth {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** One check: its name, whether it is up, how long it took and what it answered. */
  record Check(String name, boolean up, long ms, String detail) {}

  private final UnifiedJedis redis;
  private final Map<String, URI> services;
  private final HttpClient client;
  private final Scheduler blocking;

  PlatformHealth(
      UnifiedJedis redis, Map<String, URI> services, HttpClient client, Scheduler blocking) {
    this.redis = redis;
    this.services = new TreeMap<>(services);
    this.client = client.responseTimeout(TIMEOUT);
    this.blocking = blocking;
  }

  Mono<List<Check>> checks() {
    var all = new ArrayList<Mono<Check>>();
    all.add(Mono.just(new Check("gateway", true, 0, "serving this page")));
    all.add(redisPing());
    services.forEach((name, url) -> all.add(http(name, url)));
    return Flux.concat(all).collectList();
  }

  private Mono<Check> redisPing() {
    return Mono.fromCallable(
            () -> {
              long start = System.nanoTime();
              var answer = redis.ping();
              return new Check("redis", "PONG".equals(answer), millisSince(start), answer);
            })
        .subscribeOn(blocking)
        .onErrorResume(e -> Mono.just(new Check("redis", false, 0, e.toString())));
  }

  private Mono<Check> http(String name, URI url) {
    long start = System.nanoTime();
    return client
        .get()
        .uri(url)
        .responseSingle(
            (response, body) ->
                body.asString()
                    .defaultIfEmpty("")
                    .map(
                        text ->
                            new Check(
                                name,
                                response.status().code() == 200,
                                millisSince(start),
                                text.length() > 2000 ? text.substring(0, 2000) : text)))
        .timeout(TIMEOUT)
        .onErrorResume(e -> Mono.just(new Check(name, false, millisSince(start), e.toString())));
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
