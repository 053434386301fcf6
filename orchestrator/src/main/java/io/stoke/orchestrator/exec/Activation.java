package io.stoke.orchestrator.exec;

import io.stoke.common.contract.ActivationOutcome;

/**
 * What running one activation container produced.
 *
 * @param outcome how it ended
 * @param stdout the result bytes (empty unless it succeeded)
 * @param stdoutBytes how many bytes stdout carried (up to the limit plus one)
 * @param exitCode the exit code, -1 when killed or never started
 * @param stderrTail the end of stderr
 * @param error why it did not succeed; empty on success
 * @param durationMs creation to removal
 */
public record Activation(
    ActivationOutcome outcome,
    String stdout,
    long stdoutBytes,
    int exitCode,
    String stderrTail,
    String error,
    long durationMs) {}
