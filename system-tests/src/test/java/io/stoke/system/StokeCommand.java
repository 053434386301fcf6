package io.stoke.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real {@code ./stoke} script run as a process, its output kept in files for the test. */
final class StokeCommand {

  /** How one finished run of the script ended. */
  record Result(int exitCode, String stdout, String stderr) {
    String both() {
      return stdout + stderr;
    }
  }

  private StokeCommand() {}

  /** Starts {@code ./stoke ARGS} in the project root, output to files under {@code dir}. */
  static Process start(Path dir, String name, Map<String, String> env, String... args)
      throws IOException {
    var command = new ArrayList<String>(List.of(Platform.ROOT.resolve("stoke").toString()));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command).directory(Platform.ROOT.toFile());
    builder.environment().putAll(env);
    Files.createDirectories(dir);
    builder.redirectOutput(dir.resolve(name + ".out").toFile());
    builder.redirectError(dir.resolve(name + ".err").toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder.start();
  }

  /** Runs {@code ./stoke ARGS} to its end (at most {@code limit}) and returns how it ended. */
  static Result run(Path dir, String name, Map<String, String> env, Duration limit, String... args)
      throws IOException, InterruptedException {
    var process = start(dir, name, env, args);
    if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "./stoke " + String.join(" ", args) + " did not finish within " + limit);
    }
    return new Result(process.exitValue(), output(dir, name + ".out"), output(dir, name + ".err"));
  }

  static String output(Path dir, String file) throws IOException {
    var path = dir.resolve(file);
    return Files.exists(path) ? Files.readString(path) : "";
  }
}
