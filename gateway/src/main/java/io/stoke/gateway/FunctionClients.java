package io.stoke.gateway;

import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP clients to function instances and Envoy: one per server event loop, each with its own
 * connection pool whose connections live on that loop (as Envoy keeps a pool per worker), and a
 * timer on that loop for request deadlines. A warm request is then read, forwarded, answered and
 * written back on one thread: a shared pool would hand it a connection owned by another loop, and
 * every write, flush and pool hand-off would become a task queued to that loop and a thread
 * wake-up.
 */
public final class FunctionClients implements AutoCloseable {

  private final Function<String, ConnectionProvider> pools;
  private final Function<HttpClient, HttpClient> settings;
  private final Map<EventLoop, Local> byLoop = new ConcurrentHashMap<>();
  private final List<ConnectionProvider> created = new CopyOnWriteArrayList<>();

  /** The client and the timer of one event loop. */
  public record Local(HttpClient client, Scheduler timer) {}

  /**
   * @param pools makes a connection pool with the given name
   * @param settings applies the common client settings (timeouts, retry, keep-alive)
   */
  public FunctionClients(
      Function<String, ConnectionProvider> pools, Function<HttpClient, HttpClient> settings) {
    this.pools = pools;
    this.settings = settings;
  }

  /** The client whose connections all live on {@code loop}, and a timer on it. */
  public Local on(EventLoop loop) {
    var local = byLoop.get(loop);
    return local != null ? local : byLoop.computeIfAbsent(loop, this::create);
  }

  private Local create(EventLoop loop) {
    var pool = track(pools.apply("stoke-functions-" + byLoop.size()));
    return new Local(
        settings.apply(HttpClient.create(pool).runOn(loop)), Schedulers.fromExecutorService(loop));
  }

  private ConnectionProvider track(ConnectionProvider pool) {
    created.add(pool);
    return pool;
  }

  /** Closes every pool and its connections. */
  @Override
  public void close() {
    created.forEach(ConnectionProvider::dispose);
  }
}
