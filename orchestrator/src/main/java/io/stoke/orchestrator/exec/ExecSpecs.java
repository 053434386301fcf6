package io.stoke.orchestrator.exec;

import io.stoke.common.contract.ActivationRequest;
import io.stoke.orchestrator.docker.ContainerSettings;
import io.stoke.orchestrator.docker.ContainerSpec;
import io.stoke.orchestrator.docker.ContainerSpecs;
import io.stoke.orchestrator.docker.Installation;
import io.stoke.orchestrator.docker.Labels;
import io.stoke.orchestrator.docker.StateMount;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link ContainerSpec} of one exec activation; no I/O. The same hardening as an HTTP
 * instance (non-root, no capabilities, no new privileges, read-only root with a small /tmp, memory
 * and swap equal, pids limit), and no network at all: an exec function talks through stdin/stdout.
 */
public final class ExecSpecs {

  /**
   * Label on every activation container; its {@code io.stoke.managed} is {@code false}, so
   * reconcile skips it.
   */
  public static final String ACTIVATION_LABEL = "io.stoke.activation";

  static final String NO_NETWORK = "none";

  private ExecSpecs() {}

  /** The container of one activation, labelled as {@code installation}'s. */
  public static ContainerSpec forActivation(ActivationRequest request, Installation installation) {
    return forActivation(request, installation, StateMount.NONE);
  }

  /** As above, with its function's state socket folder mounted (if any). */
  public static ContainerSpec forActivation(
      ActivationRequest request, Installation installation, StateMount state) {
    var spec =
        new ContainerSpec(
            "stoke-exec-" + request.id(),
            request.image(),
            Map.of(
                ACTIVATION_LABEL,
                request.id(),
                Labels.INSTALLATION,
                installation.id(),
                "io.stoke.exec-function",
                request.function(),
                // A container inherits its image's labels. Images Stoke builds no longer carry the
                // instance labels (see Labels.IMAGE_MANAGED), but a user's image may: say plainly
                // that an activation is no managed instance, or reconcile would kill it mid-call.
                Labels.MANAGED,
                "false",
                Labels.FUNCTION,
                ""),
            environment(request),
            8080,
            "",
            NO_NETWORK,
            request.memoryBytes(),
            Math.round(request.cpus() * 1_000_000_000L),
            request.pids(),
            ContainerSettings.USER,
            List.of("ALL"),
            List.of("no-new-privileges"),
            true,
            Map.of("/tmp", ContainerSettings.TMPFS_OPTIONS));
    return state.apply(spec, request.function());
  }

  /** The function's variables, then the platform's, which win. */
  static List<String> environment(ActivationRequest request) {
    return ContainerSpecs.environment(
        request.environment(),
        Map.of("STOKE_FUNCTION", request.function(), "STOKE_ACTIVATION", request.id()));
  }
}
