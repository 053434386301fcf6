package io.stoke.gateway.connection;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the open connections of each client address and admits a new one only while the client
 * holds fewer than {@code max}, so one client cannot take every connection the gateway can hold.
 */
public final class ClientConnections {

  private final int max;
  private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

  /**
   * @param max connections one client address may hold open at once
   */
  public ClientConnections(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max = " + max + ", must be at least 1");
    }
    this.max = max;
  }

  /** Counts a new connection of {@code client}; false (and not counted) when it holds max. */
  public boolean admit(InetAddress client) {
    boolean[] admitted = {false};
    open.compute(
        client,
        (address, count) -> {
          var current = count == null ? new AtomicInteger() : count;
          if (current.get() < max) {
            current.incrementAndGet();
            admitted[0] = true;
          }
          return current;
        });
    return admitted[0];
  }

  /** Forgets a closed connection of {@code client} that {@link #admit} counted. */
  public void release(InetAddress client) {
    open.computeIfPresent(client, (address, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  /** Connections of {@code client} open now. */
  public int open(InetAddress client) {
    var count = open.get(client);
    return count == null ? 0 : count.get();
  }
}
