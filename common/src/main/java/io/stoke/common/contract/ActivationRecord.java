package io.stoke.common.contract;

import java.util.Objects;

/**
 * The kept record of one finished exec activation, readable by its owner for a bounded time.
 *
 * @param id the activation id
 * @param function the internal function name
 * @param owner the calling user, or empty for a definitions-file function
 * @param startedAt epoch milliseconds
 * @param durationMs how long it ran
 * @param exitCode the container's exit code; -1 when it did not exit by itself
 * @param resultBytes size of stdout in bytes
 * @param outcome how it ended
 * @param logTail the end of stderr (bounded)
 */
public record ActivationRecord(
    String id,
    String function,
    String owner,
    long startedAt,
    long durationMs,
    int exitCode,
    long resultBytes,
    ActivationOutcome outcome,
    String logTail) {

  public ActivationRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(outcome, "outcome");
    owner = owner == null ? "" : owner;
    logTail = logTail == null ? "" : logTail;
  }
}
