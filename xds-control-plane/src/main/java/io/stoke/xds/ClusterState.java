package io.stoke.xds;

import io.stoke.common.contract.Instance;
import io.stoke.common.definition.FunctionDefinitions;
import java.util.List;
import java.util.Map;

/** Where the control plane reads the functions and their instances from. */
public interface ClusterState {

  /** The published functions. */
  FunctionDefinitions functions();

  /** Every function's instances, by function name. */
  Map<String, List<Instance>> instances();
}
