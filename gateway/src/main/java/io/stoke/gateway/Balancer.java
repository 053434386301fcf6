package io.stoke.gateway;

import io.stoke.common.definition.LoadBalancing;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses which of a function's READY instances takes the next request, among those with a free
 * slot. Called under the function's gate lock, so implementations need no synchronisation.
 */
public sealed interface Balancer
    permits Balancer.RoundRobin, Balancer.Random, Balancer.LeastRequests {

  /** The chosen slot, or null when none of {@code slots} has room under {@code concurrency}. */
  Slot pick(List<Slot> slots, int concurrency);

  static Balancer of(LoadBalancing policy) {
    return switch (policy) {
      case ROUND_ROBIN -> new RoundRobin();
      case RANDOM -> new Random();
      case LEAST_REQUESTS -> new LeastRequests();
    };
  }

  /** Takes instances in turn, skipping full ones. */
  final class RoundRobin implements Balancer {
    private int next;

    @Override
    public Slot pick(List<Slot> slots, int concurrency) {
      int size = slots.size();
      for (int i = 0; i < size; i++) {
        int index = Math.floorMod(next + i, size);
        var slot = slots.get(index);
        if (slot.hasRoom(concurrency)) {
          next = index + 1;
          return slot;
        }
      }
      return null;
    }
  }

  /** Starts at a random instance, skipping full ones. */
  final class Random implements Balancer {
    @Override
    public Slot pick(List<Slot> slots, int concurrency) {
      int size = slots.size();
      if (size == 0) {
        return null;
      }
      int start = ThreadLocalRandom.current().nextInt(size);
      for (int i = 0; i < size; i++) {
        var slot = slots.get((start + i) % size);
        if (slot.hasRoom(concurrency)) {
          return slot;
        }
      }
      return null;
    }
  }

  /** The instance with the fewest requests in flight; ties go round-robin. */
  final class LeastRequests implements Balancer {
    private int next;

    @Override
    public Slot pick(List<Slot> slots, int concurrency) {
      int size = slots.size();
      Slot best = null;
      int bestIndex = -1;
      for (int i = 0; i < size; i++) {
        int index = Math.floorMod(next + i, size);
        var slot = slots.get(index);
        if (slot.hasRoom(concurrency) && (best == null || slot.inflight() < best.inflight())) {
          best = slot;
          bestIndex = index;
        }
      }
      if (best != null) {
        next = bestIndex + 1;
      }
      return best;
    }
  }
}
