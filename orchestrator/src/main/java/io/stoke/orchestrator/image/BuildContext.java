package io.stoke.orchestrator.image;

import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.Runtime;
import io.stoke.orchestrator.docker.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The files an image of one function is built from, by their path in the build context: a templated
 * runtime's folder at the root plus the function's source folder under {@code function/}, or, for
 * runtime {@code image}, the source folder (with its own Dockerfile) alone.
 *
 * @param files context path → file on disk, sorted by context path
 * @param contentHash SHA-256 over every context path and file content, and the definition digest
 */
public record BuildContext(SortedMap<String, Path> files, String contentHash) {

  public BuildContext {
    files = new TreeMap<>(files);
  }

  /** Collects the context of {@code def} from {@code functionsDir}. */
  public static BuildContext of(FunctionDefinition def, Path functionsDir) throws IOException {
    var files = new TreeMap<String, Path>();
    if (def.runtime() == Runtime.IMAGE) {
      collect(functionsDir.resolve(def.source()), "", files);
    } else {
      collect(functionsDir.resolve("runtimes").resolve(def.runtime().yamlName()), "", files);
      collect(functionsDir.resolve(def.source()), "function/", files);
    }
    if (!files.containsKey("Dockerfile")) {
      throw new IOException("no Dockerfile in the build context of function " + def.name());
    }
    return new BuildContext(files, hash(files, def.definitionDigest()));
  }

  private static void collect(Path root, String prefix, Map<String, Path> into) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("folder " + root + " does not exist");
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile)
          .forEach(f -> into.put(prefix + root.relativize(f).toString().replace('\\', '/'), f));
    }
  }

  static String hash(SortedMap<String, Path> files, String definitionDigest) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
    for (var file : files.entrySet()) {
      sha.update(file.getKey().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(Files.readAllBytes(file.getValue()));
      sha.update((byte) 0);
    }
    sha.update(definitionDigest.getBytes(StandardCharsets.UTF_8));
    sha.update(Labels.SCHEME.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The context as an uncompressed tar archive, as the Docker build API takes it. */
  public byte[] tar() {
    var bytes = new ByteArrayOutputStream();
    try (var tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (var file : files.entrySet()) {
        var entry = new TarArchiveEntry(file.getKey());
        var content = Files.readAllBytes(file.getValue());
        entry.setSize(content.length);
        entry.setMode(Files.isExecutable(file.getValue()) ? 0755 : 0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("building the tar context", e);
    }
    return bytes.toByteArray();
  }
}
