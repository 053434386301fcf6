package io.stoke.gateway.auth;

/** The outcome of checking a request's API key. */
public sealed interface Authentication {

  /** A valid, unrevoked key of {@code user}. */
  record Authenticated(String user) implements Authentication {}

  /** No key, a malformed, unknown or revoked key, or a wrong secret: 401 with {@code reason}. */
  record Rejected(String reason) implements Authentication {}

  /** The key store (Redis) could not be asked: 503 with {@code reason}, the caller may retry. */
  record Unavailable(String reason) implements Authentication {}
}
