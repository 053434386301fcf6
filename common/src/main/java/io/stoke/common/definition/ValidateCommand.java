package io.stoke.common.definition;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./stoke validate [FILE] [--functions-dir DIR]}: checks a definitions file and prints every
 * problem, so a user can check before deploying.
 */
public final class ValidateCommand {

  static final String USAGE =
      """
      Usage: ./stoke validate [FILE] [--functions-dir DIR]
        FILE                 the definitions file (default global-function-definition.yml)
        --functions-dir DIR  where the functions' source folders are (default: FILE's sibling
                             functions/, when it exists); their folders, handler files and Java
                             handler classes are checked too
        -h, --help           this text
      Exit code: 0 when the file is valid, 1 when it has problems or does not exist (every
      problem is printed), 2 for bad options.
      """;

  private ValidateCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path file = Path.of("global-function-definition.yml");
    Path functionsDir = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-h") || args[i].equals("--help")) {
        out.print(USAGE);
        return 0;
      } else if (args[i].equals("--functions-dir") && i + 1 < args.length) {
        functionsDir = Path.of(args[++i]);
      } else if (args[i].startsWith("-")) {
        err.println("validate: unknown option " + args[i]);
        err.print(USAGE);
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
