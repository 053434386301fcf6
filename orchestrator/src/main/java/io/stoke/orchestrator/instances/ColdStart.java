package io.stoke.orchestrator.instances;

import io.stoke.common.contract.Instance;

/** How one instance's start ended. */
public sealed interface ColdStart {

  /** The instance answered {@code /_/ready} and is registered READY. */
  record Ready(Instance instance) implements ColdStart {}

  /** The container could not be created, or exited before it was ready. */
  record Failed(String function, String reason) implements ColdStart {}

  /** The container did not answer ready within the function's start timeout. */
  record TimedOut(String function, String reason) implements ColdStart {}
}
