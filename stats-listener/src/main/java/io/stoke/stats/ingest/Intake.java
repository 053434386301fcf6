package io.stoke.stats.ingest;

/**
 * The socket a datagram came in on. Each intake has its own table of sender rate buckets, so
 * senders at the public StatsD port can never take (or exhaust the room for) the gateway's.
 */
public enum Intake {
  /** The public StatsD port: Envoy and anyone who can reach it. */
  STATSD,
  /** The gateway's own report port. */
  GATEWAY
}
