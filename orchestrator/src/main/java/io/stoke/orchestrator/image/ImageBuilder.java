package io.stoke.orchestrator.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.orchestrator.StokeProperties;
import io.stoke.orchestrator.docker.Labels;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds function images with the Docker engine. An image whose tag already carries the context's
 * content hash is not rebuilt; build output goes to the log prefixed with {@code [function]}.
 */
public final class ImageBuilder {

  private static final Logger log = LoggerFactory.getLogger(ImageBuilder.class);

  private final DockerClient docker;
  private final Path functionsDir;
  private final StokeProperties.Base base;

  public ImageBuilder(DockerClient docker, Path functionsDir, StokeProperties.Base base) {
    this.docker = docker;
    this.functionsDir = functionsDir;
    this.base = base;
  }

  /** Makes sure the image of {@code def} exists and matches its sources. */
  public ImageBuild prepare(FunctionDefinition def) {
    if (!def.isBuilt()) {
      return new ImageBuild.Prebuilt(def.name(), def.image());
    }
    BuildContext context;
    try {
      context = BuildContext.of(def, functionsDir);
    } catch (IOException e) {
      return failed(def, "", "reading the build context: " + e.getMessage());
    }
    if (existingHash(def.image()).filter(context.contentHash()::equals).isPresent()) {
      log.info("[{}] image {} is up to date", def.name(), def.image());
      return new ImageBuild.Unchanged(def.name(), def.image(), context.contentHash());
    }
    log.info("[{}] building image {}", def.name(), def.image());
    var callback = new BuildLog(def.name());
    try {
      var cmd =
          docker
              .buildImageCmd(new ByteArrayInputStream(context.tar()))
              .withTags(Set.of(def.image()))
              .withLabels(labels(def, context.contentHash()))
              .withPull(false)
              .withRemove(true)
              .withForcerm(true);
      buildArgs(def).forEach(cmd::withBuildArg);
      cmd.exec(callback).awaitCompletion();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(def, callback.step, "interrupted");
    } catch (DockerException | IllegalStateException e) {
      return failed(def, callback.step, e.getMessage());
    }
    if (callback.error != null) {
      return failed(def, callback.step, callback.error);
    }
    if (existingHash(def.image()).filter(context.contentHash()::equals).isEmpty()) {
      return failed(def, callback.step, "the engine reported no image for " + def.image());
    }
    log.info("[{}] built image {}", def.name(), def.image());
    return new ImageBuild.Built(def.name(), def.image(), context.contentHash());
  }

  private ImageBuild failed(FunctionDefinition def, String step, String reason) {
    var failure = new ImageBuild.Failed(def.name(), step, reason.strip());
    log.error("[{}] {}", def.name(), failure.describe());
    return failure;
  }

  Map<String, String> buildArgs(FunctionDefinition def) {
    return switch (def.runtime()) {
      case PYTHON ->
          Map.of(
              "BASE_IMAGE",
              base.python(),
              "HANDLER",
              def.handler(),
              "FUNCTION_NAME",
              def.name(),
              "DEPENDENCIES",
              String.join(" ", def.dependencies()));
      case JAVA ->
          Map.of(
              "BASE_IMAGE",
              base.javaJre(),
              "BUILD_IMAGE",
              base.javaJdk(),
              "HANDLER",
              def.handler(),
              "FUNCTION_NAME",
              def.name());
      case IMAGE -> Map.of("BASE_IMAGE", base.minimal(), "FUNCTION_NAME", def.name());
    };
  }

  static Map<String, String> labels(FunctionDefinition def, String contentHash) {
    return Map.of(
        Labels.IMAGE_MANAGED,
        "true",
        Labels.IMAGE_FUNCTION,
        def.name(),
        Labels.IMAGE_VERSION,
        def.version(),
        Labels.CONTENT_HASH,
        contentHash);
  }

  /** The content-hash label of the image tagged {@code image}, if that image exists. */
  public Optional<String> existingHash(String image) {
    try {
      var labels = docker.inspectImageCmd(image).exec().getConfig().getLabels();
      return Optional.ofNullable(labels == null ? null : labels.get(Labels.CONTENT_HASH));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Deletes Stoke-built images no current function uses: removed functions, old versions and
   * untagged leftovers of rebuilds. An image a container still uses is kept until the next pass.
   */
  public void prune(Collection<FunctionDefinition> current) {
    var keep = new HashSet<String>();
    current.forEach(def -> keep.add(def.image()));
    for (var image :
        docker.listImagesCmd().withLabelFilter(Map.of(Labels.IMAGE_MANAGED, "true")).exec()) {
      var tags = image.getRepoTags() == null ? new String[0] : image.getRepoTags();
      if (Arrays.stream(tags).anyMatch(keep::contains)) {
        continue;
      }
      try {
        docker.removeImageCmd(image.getId()).withForce(true).exec();
        log.info("Removed unused image {} {}", image.getId(), Arrays.toString(tags));
      } catch (NotFoundException e) {
        // Already gone.
      } catch (ConflictException e) {
        log.info("Image {} is still in use; kept for now", Arrays.toString(tags));
      }
    }
  }

  /** Streams build output to the log and remembers the step being run and any error. */
  private static final class BuildLog extends ResultCallback.Adapter<BuildResponseItem> {
    private static final int OUTPUT_LINES = 5;

    private final String function;
    private volatile String step = "";
    private volatile String error;

    /** The last lines the current step printed: a failed RUN's reason is usually among them. */
    private final java.util.ArrayDeque<String> stepOutput = new java.util.ArrayDeque<>();

    BuildLog(String function) {
      this.function = function;
    }

    @Override
    public void onNext(BuildResponseItem item) {
      if (item.getStream() != null) {
        for (var line : item.getStream().split("\n")) {
          if (line.isBlank()) {
            continue;
          }
          if (line.startsWith("Step ")) {
            step = line.strip();
            synchronized (stepOutput) {
              stepOutput.clear();
            }
          } else if (!line.startsWith(" ---> ")) {
            synchronized (stepOutput) {
              if (stepOutput.size() == OUTPUT_LINES) {
                stepOutput.removeFirst();
              }
              stepOutput.addLast(line.strip());
            }
          }
          log.info("[{}] {}", function, line.stripTrailing());
        }
      }
      if (item.getErrorDetail() != null || item.getError() != null) {
        error =
            (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                    ? item.getErrorDetail().getMessage()
                    : item.getError())
                + lastOutput();
        log.error("[{}] {}", function, error);
      }
    }

    private String lastOutput() {
      synchronized (stepOutput) {
        if (stepOutput.isEmpty()) {
          return "";
        }
        var output = String.join(" | ", stepOutput);
        return "; the step printed: "
            + (output.length() > 600 ? "..." + output.substring(output.length() - 600) : output);
      }
    }
  }
}
