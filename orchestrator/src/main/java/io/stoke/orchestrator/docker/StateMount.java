package io.stoke.orchestrator.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What gives a function container its function's state socket: the function's folder under the
 * state service's socket root, mounted read-only at {@link #CONTAINER_DIR}, and {@code
 * STOKE_STATE_SOCKET} naming the socket in it. Nothing else changes: no network, no credential, the
 * same hardening (connecting to a socket works on a read-only mount). The socket names the
 * function, so a container cannot reach another function's state.
 *
 * @param socketRoot the state service's socket root as the Docker engine sees it; empty = no state
 */
public record StateMount(String socketRoot) {

  /** Where a container finds its function's folder. */
  public static final String CONTAINER_DIR = "/run/stoke-state";

  /** The variable naming the socket inside the container. */
  public static final String SOCKET_ENV = "STOKE_STATE_SOCKET";

  public static final StateMount NONE = new StateMount("");

  public StateMount {
    socketRoot = Objects.requireNonNullElse(socketRoot, "").strip();
    if (!socketRoot.isEmpty() && !socketRoot.startsWith("/")) {
      throw new IllegalArgumentException(
          "stoke.state-socket-root = " + socketRoot + ", must be an absolute path or empty");
    }
  }

  /** {@code spec} with the function's socket folder mounted and the variable set. */
  public ContainerSpec apply(ContainerSpec spec, String function) {
    if (socketRoot.isEmpty()) {
      return spec;
    }
    var env = new ArrayList<>(spec.environment());
    env.removeIf(entry -> entry.startsWith(SOCKET_ENV + "="));
    env.add(SOCKET_ENV + "=" + CONTAINER_DIR + "/state.sock");
    var binds = new ArrayList<>(spec.binds());
    binds.add(socketRoot.replaceAll("/+$", "") + "/" + function + ":" + CONTAINER_DIR + ":ro");
    return new ContainerSpec(
        spec.name(),
        spec.image(),
        spec.labels(),
        List.copyOf(env),
        spec.containerPort(),
        spec.publishIp(),
        spec.network(),
        spec.memoryBytes(),
        spec.nanoCpus(),
        spec.pidsLimit(),
        spec.user(),
        spec.capDrop(),
        spec.securityOpts(),
        spec.readOnlyRootfs(),
        spec.tmpfs(),
        List.copyOf(binds));
  }

  /** The environment variables this adds, for documentation and tests. */
  public Map<String, String> environment() {
    return socketRoot.isEmpty() ? Map.of() : Map.of(SOCKET_ENV, CONTAINER_DIR + "/state.sock");
  }
}
