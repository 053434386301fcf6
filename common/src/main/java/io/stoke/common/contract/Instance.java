package io.stoke.common.contract;

import java.util.Objects;

/**
 * One running container of a function, as published in the instance registry.
 *
 * @param id the instance id (also the container's name suffix and its label)
 * @param function the function's name
 * @param version the function's version this instance runs
 * @param digest the definition digest the instance was started from
 * @param host where the gateway and Envoy reach it (127.0.0.1 on a single host)
 * @param port the port they reach it on (a published host port, or the container port)
 * @param state its state
 * @param containerId the Docker container id
 * @param startedAt epoch milliseconds the container was created
 * @param readyAt epoch milliseconds it first answered ready; 0 while starting
 */
public record Instance(
    String id,
    String function,
    String version,
    String digest,
    String host,
    int port,
    InstanceState state,
    String containerId,
    long startedAt,
    long readyAt) {

  public Instance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(state, "state");
  }

  public Instance withState(InstanceState newState) {
    return new Instance(
        id, function, version, digest, host, port, newState, containerId, startedAt, readyAt);
  }

  public Instance ready(long at) {
    return new Instance(
        id, function, version, digest, host, port, InstanceState.READY, containerId, startedAt, at);
  }

  /** {@code host:port}. */
  public String address() {
    return host + ":" + port;
  }

  public boolean isReady() {
    return state == InstanceState.READY;
  }
}
