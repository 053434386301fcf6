package io.stoke.runtime;

/**
 * A Stoke function written in Java: one instance, created through its public no-argument
 * constructor, serves all requests, possibly on several threads at once.
 */
@FunctionalInterface
public interface Handler {

  /** Answers one request. An exception becomes a 500 JSON response; the runtime keeps serving. */
  Response handle(Request request) throws Exception;
}
