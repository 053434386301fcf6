package io.stoke.orchestrator.definitions;

import io.stoke.common.definition.FunctionDefinition;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The functions the orchestrator currently runs (their images are ready) and the ones it cannot
 * run, with the reason. Replaced whole on every (re)load, so readers see one consistent set.
 */
public final class FunctionSet {

  private record State(Map<String, FunctionDefinition> ready, Map<String, String> failures) {}

  private volatile State state = new State(Map.of(), Map.of());

  /** The runnable definition of {@code function}. */
  public Optional<FunctionDefinition> find(String function) {
    return Optional.ofNullable(state.ready.get(function));
  }

  /** Why {@code function} cannot run (its image failed to build), if it cannot. */
  public Optional<String> failure(String function) {
    return Optional.ofNullable(state.failures.get(function));
  }

  public Collection<FunctionDefinition> all() {
    return state.ready.values();
  }

  /** Makes {@code ready} the runnable set, in its iteration order. */
  public void replace(Map<String, FunctionDefinition> ready, Map<String, String> failures) {
    state = new State(new LinkedHashMap<>(ready), Map.copyOf(failures));
  }
}
