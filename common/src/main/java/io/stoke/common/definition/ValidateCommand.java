package io.stoke.common.definition;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./stoke validate [FILE] [--functions-dir DIR]}: checks a definitions file and prints every
 * problem, so a user can check before deploying. Exit code 0 when valid, 1 when not, 2 on bad
 * usage.
 */
public final class ValidateCommand {

  private ValidateCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path file = Path.of("global-function-definition.yml");
    Path functionsDir = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--functions-dir") && i + 1 < args.length) {
        functionsDir = Path.of(args[++i]);
      } else if (args[i].startsWith("-")) {
        err.println("usage: validate [FILE] [--functions-dir DIR]");
        return 2;
      } else {
        file = Path.of(args[i]);
      }
    }
    if (functionsDir == null) {
      var sibling = file.toAbsolutePath().getParent().resolve("functions");
      functionsDir = Files.isDirectory(sibling) ? sibling : null;
    }
    try {
      var definitions = new DefinitionLoader(functionsDir).load(file);
      out.println(
          file
              + ": OK, "
              + definitions.functions().size()
              + " function(s): "
              + String.join(", ", definitions.names()));
      return 0;
    } catch (InvalidDefinitionsException e) {
      err.println(e.getMessage());
      return 1;
    }
  }
}
