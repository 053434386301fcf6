package io.stoke.common.definition;

/**
 * One thing wrong in a definitions file.
 *
 * @param path where: {@code functions.hello.scaling.maxInstances}
 * @param message what is wrong and what is allowed, starting with the path
 */
public record DefinitionProblem(String path, String message) {

  @Override
  public String toString() {
    return message;
  }
}
