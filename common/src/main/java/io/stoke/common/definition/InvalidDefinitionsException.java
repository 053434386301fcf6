package io.stoke.common.definition;

import java.util.List;
import java.util.stream.Collectors;

/** A definitions file that cannot be used, with every problem found in it. */
public class InvalidDefinitionsException extends Exception {

  private final String source;
  private final transient List<DefinitionProblem> problems;

  public InvalidDefinitionsException(String source, List<DefinitionProblem> problems) {
    super(describe(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** The file (or other origin) the definitions came from. */
  public String source() {
    return source;
  }

  public List<DefinitionProblem> problems() {
    return problems;
  }

  private static String describe(String source, List<DefinitionProblem> problems) {
    return problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + " in "
        + source
        + ":\n"
        + problems.stream().map(p -> "  - " + p.message()).collect(Collectors.joining("\n"));
  }
}
