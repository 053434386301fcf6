package io.stoke.orchestrator.docker;

import java.util.Objects;

/**
 * Platform-wide settings that shape every instance container.
 *
 * @param instanceHost where published ports are bound and reached (127.0.0.1)
 * @param network a Docker network to attach instances to instead of publishing ports; empty for
 *     none
 * @param installation the installation whose labels every instance carries
 * @param stateMount how instances reach their function's state socket
 */
public record ContainerSettings(
    String instanceHost, String network, Installation installation, StateMount stateMount) {

  /** The unprivileged user every instance runs as. */
  public static final String USER = "10001:10001";

  /** Size of the writable {@code /tmp} of an instance whose root filesystem is read-only. */
  public static final String TMPFS_OPTIONS = "rw,noexec,nosuid,size=64m";

  public ContainerSettings {
    Objects.requireNonNull(instanceHost, "instanceHost");
    network = network == null ? "" : network;
    Objects.requireNonNull(installation, "installation");
    stateMount = stateMount == null ? StateMount.NONE : stateMount;
  }

  /** Settings without a state socket. */
  public ContainerSettings(String instanceHost, String network, Installation installation) {
    this(instanceHost, network, installation, StateMount.NONE);
  }

  public boolean attachesToNetwork() {
    return !network.isEmpty();
  }
}
