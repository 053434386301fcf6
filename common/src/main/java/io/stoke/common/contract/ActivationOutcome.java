package io.stoke.common.contract;

/** How an exec activation ended. */
public enum ActivationOutcome {
  /** The container exited 0; stdout is the result. */
  SUCCEEDED,
  /** The container exited with a non-zero code. */
  FAILED,
  /** The container ran past the function's timeout and was killed. */
  TIMED_OUT,
  /** stdout exceeded the output limit; the container was killed. */
  OUTPUT_TOO_LARGE,
  /** The container could not be created or started (e.g. the image is gone). */
  NOT_STARTED
}
