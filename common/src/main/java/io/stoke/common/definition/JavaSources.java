package io.stoke.common.definition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where a Java function's handler class is written in its source folder. The runtime's build
 * compiles every {@code .java} file under the folder, so the class may live in any file named after
 * it; the conventional place is the package's folder.
 */
final class JavaSources {

  private static final int MAX_DEPTH = 16;

  private JavaSources() {}

  /** {@code folder/com/example/Echo.java} for {@code com.example.Echo}. */
  static Path expected(Path folder, String className) {
    return folder.resolve(className.replace('.', '/') + ".java");
  }

  /** True when a file named after the class's simple name exists anywhere under the folder. */
  static boolean exists(Path folder, String className) {
    var expected = expected(folder, className);
    if (Files.isRegularFile(expected)) {
      return true;
    }
    var fileName = expected.getFileName().toString();
    try (Stream<Path> files = Files.walk(folder, MAX_DEPTH)) {
      return files.anyMatch(p -> p.getFileName().toString().equals(fileName));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }
}
