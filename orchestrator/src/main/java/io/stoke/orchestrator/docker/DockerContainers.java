package io.stoke.orchestrator.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Applies {@link ContainerSpec}s through docker-java and lists, stops and removes containers. */
public final class DockerContainers {

  /** How long a removal another caller started may take before it counts as failed. */
  private static final int REMOVAL_WAIT_SECONDS = 30;

  private final DockerClient docker;
  private final Installation installation;

  /** Lists only {@code installation}'s containers; stops and removes whatever it is given. */
  public DockerContainers(DockerClient docker, Installation installation) {
    this.docker = docker;
    this.installation = installation;
  }

  /**
   * The limits and hardening every function container gets, HTTP instance or exec activation:
   * memory with swap equal to it, CPU share, pids limit, no capabilities, no-new-privileges, a
   * read-only root filesystem with a tmpfs /tmp.
   */
  public static HostConfig hardened(ContainerSpec spec) {
    return HostConfig.newHostConfig()
        .withMemory(spec.memoryBytes())
        .withMemorySwap(spec.memoryBytes())
        .withNanoCPUs(spec.nanoCpus())
        .withPidsLimit(spec.pidsLimit())
        .withCapDrop(spec.capDrop().stream().map(Capability::valueOf).toArray(Capability[]::new))
        .withSecurityOpts(spec.securityOpts())
        .withReadonlyRootfs(spec.readOnlyRootfs())
        .withTmpFs(spec.tmpfs())
        .withBinds(spec.binds().stream().map(Bind::parse).toList());
  }

  /** Creates and starts the container; returns its id. */
  public String run(ContainerSpec spec) {
    var port = ExposedPort.tcp(spec.containerPort());
    var host = hardened(spec);
    if (spec.publishesPort()) {
      host.withPortBindings(new PortBinding(Ports.Binding.bindIp(spec.publishIp()), port));
    } else {
      host.withNetworkMode(spec.network());
    }
    var id =
        docker
            .createContainerCmd(spec.image())
            .withName(spec.name())
            .withLabels(spec.labels())
            .withEnv(spec.environment())
            .withUser(spec.user())
            .withExposedPorts(port)
            .withHostConfig(host)
            .exec()
            .getId();
    try {
      docker.startContainerCmd(id).exec();
    } catch (RuntimeException e) {
      remove(id);
      throw e;
    }
    return id;
  }

  /** Where a started container is reached, per its spec's networking. */
  public Endpoint endpoint(String containerId, String name, int containerPort, String publishIp) {
    if (publishIp.isEmpty()) {
      // Attached to a network (compose): its address there. Envoy's EDS takes IP addresses only,
      // so the container's name is the fallback, not the rule.
      var networks =
          docker.inspectContainerCmd(containerId).exec().getNetworkSettings().getNetworks();
      return (networks == null ? Map.<String, ContainerNetwork>of() : networks)
          .values().stream()
              .map(ContainerNetwork::getIpAddress)
              .filter(ip -> ip != null && !ip.isEmpty())
              .findFirst()
              .map(ip -> new Endpoint(ip, containerPort))
              .orElse(new Endpoint(name, containerPort));
    }
    var bindings =
        docker
            .inspectContainerCmd(containerId)
            .exec()
            .getNetworkSettings()
            .getPorts()
            .getBindings()
            .get(ExposedPort.tcp(containerPort));
    if (bindings == null || bindings.length == 0) {
      throw new IllegalStateException(
          "container " + name + " has no published binding for port " + containerPort);
    }
    return new Endpoint(publishIp, Integer.parseInt(bindings[0].getHostPortSpec()));
  }

  /**
   * Where a running container is reached: its port published on the host, or — for a container
   * attached to a network of its own (compose) — its address on that network. Never an address on
   * Docker's default bridge, which only the host-published port should be used for.
   */
  public Optional<Endpoint> publishedEndpoint(String containerId, int containerPort) {
    try {
      var inspect = docker.inspectContainerCmd(containerId).exec();
      var settings = inspect.getNetworkSettings();
      var binding = settings.getPorts().getBindings().get(ExposedPort.tcp(containerPort));
      if (binding != null && binding.length > 0) {
        var ip = binding[0].getHostIp();
        return Optional.of(
            new Endpoint(
                ip == null || ip.isEmpty() || ip.equals("0.0.0.0") ? "127.0.0.1" : ip,
                Integer.parseInt(binding[0].getHostPortSpec())));
      }
      var networks = settings.getNetworks();
      return (networks == null ? Map.<String, ContainerNetwork>of() : networks)
          .entrySet().stream()
              .filter(network -> !network.getKey().equals("bridge"))
              .map(network -> network.getValue().getIpAddress())
              .filter(ip -> ip != null && !ip.isEmpty())
              .findFirst()
              .map(ip -> new Endpoint(ip, containerPort));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /** Every instance container of this installation, running or not. */
  public List<ManagedContainer> list() {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(installation.instanceLabels())
        .exec()
        .stream()
        .map(
            c ->
                new ManagedContainer(
                    c.getId(),
                    c.getLabels() == null ? Map.of() : c.getLabels(),
                    "running".equals(c.getState()),
                    c.getCreated() == null ? 0 : c.getCreated() * 1000))
        .toList();
  }

  /** Stops with SIGTERM, then SIGKILL after {@code graceSeconds}. A gone container is fine. */
  public void stop(String containerId, int graceSeconds) {
    try {
      docker.stopContainerCmd(containerId).withTimeout(graceSeconds).exec();
    } catch (NotFoundException | NotModifiedException e) {
      // Already stopped or gone: the goal state.
    }
  }

  /**
   * Removes the container, killing it if needed, and returns once it is gone. A gone container is
   * fine.
   */
  public void remove(String containerId) {
    try {
      docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // Already gone: the goal state.
    } catch (ConflictException e) {
      // "removal of container ... is already in progress": a concurrent remove, or the HTTP
      // client's automatic retry of this very DELETE after the engine had accepted it.
      if (!String.valueOf(e.getMessage()).contains("already in progress")) {
        throw e;
      }
      awaitGone(containerId);
    }
  }

  private void awaitGone(String containerId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REMOVAL_WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      try {
        docker.inspectContainerCmd(containerId).exec();
      } catch (NotFoundException gone) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException(
        "container " + containerId + " still exists " + REMOVAL_WAIT_SECONDS + " s after removal");
  }

  /** The last {@code lines} lines of the container's output, for failure reports. */
  public String logTail(String containerId, int lines) {
    var text = new StringBuilder();
    try {
      docker
          .logContainerCmd(containerId)
          .withStdOut(true)
          .withStdErr(true)
          .withTail(lines)
          .exec(
              new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                  text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
              })
          .awaitCompletion(5, TimeUnit.SECONDS);
    } catch (NotFoundException e) {
      return "(container gone)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return text.toString().strip();
  }

  /** Whether the container still runs. */
  public boolean isRunning(String containerId) {
    try {
      var state = docker.inspectContainerCmd(containerId).exec().getState();
      return Boolean.TRUE.equals(state.getRunning());
    } catch (NotFoundException e) {
      return false;
    }
  }
}
