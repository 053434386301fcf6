package io.stoke.gateway;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The right to send one request to one instance, held from admission until the response ends.
 * Releasing twice is harmless, so every exit path may release.
 *
 * @see FunctionGate#acquire()
 */
public final class Lease {

  private final FunctionGate gate;
  private final Slot slot;
  private final boolean cold;
  private final long waitedMs;
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(FunctionGate gate, Slot slot, boolean cold, long waitedMs) {
    this.gate = gate;
    this.slot = slot;
    this.cold = cold;
    this.waitedMs = waitedMs;
  }

  /** The gate of the function the lease is on. */
  FunctionGate gate() {
    return gate;
  }

  public Slot slot() {
    return slot;
  }

  /** True when the request was held because the function had no READY instance. */
  public boolean cold() {
    return cold;
  }

  /** Milliseconds the request was held or queued before it got this lease. */
  public long waitedMs() {
    return waitedMs;
  }

  public void release() {
    if (released.compareAndSet(false, true)) {
      gate.release(this);
    }
  }

  public boolean isReleased() {
    return released.get();
  }
}
