package io.stoke.common.definition;

/** How requests are spread across a function's ready instances. */
public enum LoadBalancing {
  ROUND_ROBIN("round-robin"),
  RANDOM("random"),
  LEAST_REQUESTS("least-requests");

  private final String yamlName;

  LoadBalancing(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }
}
