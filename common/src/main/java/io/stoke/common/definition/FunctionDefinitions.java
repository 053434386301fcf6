package io.stoke.common.definition;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The set of functions registered in one definitions file, in file order, names unique. */
public record FunctionDefinitions(List<FunctionDefinition> functions) {

  public FunctionDefinitions {
    functions = List.copyOf(functions);
    var seen = new java.util.HashSet<String>();
    for (var function : functions) {
      if (!seen.add(function.name())) {
        throw new IllegalArgumentException("duplicate function name " + function.name());
      }
    }
  }

  public static FunctionDefinitions empty() {
    return new FunctionDefinitions(List.of());
  }

  public Optional<FunctionDefinition> find(String name) {
    return functions.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public Map<String, FunctionDefinition> byName() {
    var map = new LinkedHashMap<String, FunctionDefinition>();
    functions.forEach(f -> map.put(f.name(), f));
    return map;
  }

  public List<String> names() {
    return functions.stream().map(FunctionDefinition::name).toList();
  }
}
