package io.stoke.common.definition;

/** How an instance of a function serves calls. */
public enum ExecutionMode {
  /** A long-running HTTP server that answers many requests. */
  HTTP("http"),
  /** One container per call: the body on stdin, the result on stdout, removed after the call. */
  EXEC("exec");

  private final String yamlName;

  ExecutionMode(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }
}
