package io.stoke.orchestrator.docker;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to create one instance container, independent of the Docker client.
 *
 * @param name the container name, {@code stoke-<function>-<instanceId>}
 * @param image the image to run
 * @param labels the container's labels
 * @param environment {@code NAME=value} entries
 * @param containerPort the port the function listens on inside the container
 * @param publishIp the host address the port is published on with an ephemeral host port; empty
 *     when the container is attached to {@code network} instead
 * @param network the Docker network to attach to; empty for the default bridge
 * @param memoryBytes memory limit; swap is set to the same value so the container never swaps
 * @param nanoCpus CPU quota in 10<sup>-9</sup> cores
 * @param pidsLimit maximum processes and threads
 * @param user the user the process runs as
 * @param capDrop capabilities dropped
 * @param securityOpts security options
 * @param readOnlyRootfs whether the root filesystem is read-only
 * @param tmpfs tmpfs mounts, path → options
 */
public record ContainerSpec(
    String name,
    String image,
    Map<String, String> labels,
    List<String> environment,
    int containerPort,
    String publishIp,
    String network,
    long memoryBytes,
    long nanoCpus,
    long pidsLimit,
    String user,
    List<String> capDrop,
    List<String> securityOpts,
    boolean readOnlyRootfs,
    Map<String, String> tmpfs,
    List<String> binds) {

  public ContainerSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    labels = Map.copyOf(labels);
    environment = List.copyOf(environment);
    capDrop = List.copyOf(capDrop);
    securityOpts = List.copyOf(securityOpts);
    tmpfs = Map.copyOf(tmpfs);
    binds = List.copyOf(binds);
    if (publishIp.isEmpty() == network.isEmpty()) {
      throw new IllegalArgumentException(
          "container " + name + ": exactly one of publishIp and network must be set");
    }
  }

  /**
   * A spec without bind mounts (only the state socket folder is ever mounted: {@link StateMount}).
   */
  public ContainerSpec(
      String name,
      String image,
      Map<String, String> labels,
      List<String> environment,
      int containerPort,
      String publishIp,
      String network,
      long memoryBytes,
      long nanoCpus,
      long pidsLimit,
      String user,
      List<String> capDrop,
      List<String> securityOpts,
      boolean readOnlyRootfs,
      Map<String, String> tmpfs) {
    this(
        name,
        image,
        labels,
        environment,
        containerPort,
        publishIp,
        network,
        memoryBytes,
        nanoCpus,
        pidsLimit,
        user,
        capDrop,
        securityOpts,
        readOnlyRootfs,
        tmpfs,
        List.of());
  }

  /** True when the port is published on the host rather than reached over a Docker network. */
  public boolean publishesPort() {
    return !publishIp.isEmpty();
  }
}
