package io.stoke.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Optional;

/**
 * Leader election over the state service: every candidate holds an ephemeral-sequential node whose
 * data is its identity; the lowest leads, and the next one leads when it resigns, closes its
 * session or its session expires.
 */
public final class Election {

  private final Lock candidacy;
  private final String identity;

  public Election(String path, Session session, String identity) {
    this.candidacy = new Lock(path, session);
    this.identity = identity == null ? "" : identity;
  }

  /** Enters the election: creates this candidate's node. */
  public void volunteer() {
    candidacy.enqueue(identity);
  }

  /** Waits at most {@code timeout} (null = no limit) until this candidate leads. */
  public boolean waitForLeadership(Duration timeout) throws InterruptedException {
    if (candidacy.node() == null) {
      throw new IllegalStateException(identity + " has not volunteered");
    }
    return candidacy.awaitFirst(timeout);
  }

  /** The identity of the current leader, or empty when there is no candidate. */
  public Optional<String> leader() {
    var state = candidacy.state();
    while (true) {
      var names = new ArrayList<>(state.children(candidacy.path()));
      if (names.isEmpty()) {
        return Optional.empty();
      }
      Collections.sort(names);
      var data = state.getNode(candidacy.path() + "/" + names.get(0));
      // Empty: the leader left between the two reads; the next one leads now.
      if (data.isPresent()) {
        return data;
      }
    }
  }

  /** Leaves the election (a leader gives up leadership). */
  public void resign() {
    candidacy.release();
  }

  public String identity() {
    return identity;
  }
}
