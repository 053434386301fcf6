package io.stoke.state;

import java.util.List;

/**
 * The `docker run` flags of a function container as the orchestrator hardens it, with its state.
 */
final class HardenedRun {

  private HardenedRun() {}

  /**
   * Hardening, no network, and the function's socket folder mounted read-only with its variable.
   */
  static List<String> flags(Object socketFolder) {
    return List.of(
        "--network",
        "none",
        "--user",
        "10001:10001",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--read-only",
        "--tmpfs",
        "/tmp:rw,noexec,nosuid,size=64m",
        "-v",
        socketFolder + ":/run/stoke-state:ro",
        "-e",
        "STOKE_STATE_SOCKET=/run/stoke-state/state.sock");
  }
}
