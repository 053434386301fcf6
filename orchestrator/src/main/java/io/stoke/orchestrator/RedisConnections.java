package io.stoke.orchestrator;

import java.net.URI;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** The orchestrator's Redis client. */
public final class RedisConnections {

  /**
   * How long a blocking read may wait for its answer. The orchestrator's blocking reads (the exec
   * worker's and the demand consumer's XREADGROUP) ask Redis to block 1 s; by default Jedis waits
   * for their answer forever, so a Redis that hangs, or a connection lost without a FIN, would stop
   * scaling and exec for good. After this long the read fails and its loop reconnects.
   */
  static final int BLOCKING_READ_TIMEOUT_MS = 5_000;

  private RedisConnections() {}

  /**
   * A client for pub/sub only: Jedis applies the blocking-read timeout to a subscription too, so
   * the shared client would drop a quiet subscription every {@link #BLOCKING_READ_TIMEOUT_MS}.
   */
  public static UnifiedJedis forSubscriptions(URI url) {
    return RedisClient.create(url);
  }

  /**
   * A pooled client of the Redis at {@code url} ({@code redis://[user:password@]host:port[/db]}),
   * for everything but subscriptions.
   */
  public static UnifiedJedis open(URI url) {
    return RedisClient.builder()
        .clientConfig(
            DefaultJedisClientConfig.builder()
                .blockingSocketTimeoutMillis(BLOCKING_READ_TIMEOUT_MS)
                .build())
        .fromURI(url) // keeps the config above, adds the URL's credentials and database
        .build();
  }
}
