package io.stoke.common.definition;

/** How a function's image comes to be: built from a runtime template, or given as an image. */
public enum Runtime {
  PYTHON("python"),
  JAVA("java"),
  IMAGE("image");

  private final String yamlName;

  Runtime(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The spelling used in definition files. */
  public String yamlName() {
    return yamlName;
  }

  /** True when Stoke builds the image from a runtime template and the function's sources. */
  public boolean isTemplated() {
    return this != IMAGE;
  }
}
