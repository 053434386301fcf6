package io.stoke.common.definition;

/** Whether callers of a function must present an API key. */
public enum AuthMode {
  PUBLIC("public"),
  REQUIRED("required");

  private final String yamlName;

  AuthMode(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }
}
