package io.stoke.orchestrator.autoscale;

/**
 * How many instances a function should have now, and why.
 *
 * @param desired the instance count to reconcile to, within the policy's bounds
 * @param state what the next decision must know
 * @param reason a short human-readable explanation, for logs
 */
public record ScaleDecision(int desired, AutoscalerState state, String reason) {}
