package io.stoke.orchestrator.docker;

import io.stoke.common.definition.FunctionDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the {@link ContainerSpec} of an instance from its function's definition; no I/O. */
public final class ContainerSpecs {

  private ContainerSpecs() {}

  /** The container name of an instance. */
  public static String containerName(String function, String instanceId) {
    return "stoke-" + function + "-" + instanceId;
  }

  /** The hardened container one instance of {@code def} runs in. */
  public static ContainerSpec forFunction(
      FunctionDefinition def, String image, String instanceId, ContainerSettings settings) {
    var labels = new LinkedHashMap<String, String>(settings.installation().instanceLabels());
    labels.put(Labels.FUNCTION, def.name());
    labels.put(Labels.VERSION, def.version());
    labels.put(Labels.INSTANCE, instanceId);
    labels.put(Labels.DIGEST, def.definitionDigest());
    var resources = def.resources();
    var spec =
        new ContainerSpec(
            containerName(def.name(), instanceId),
            image,
            labels,
            environment(def),
            def.port(),
            settings.attachesToNetwork() ? "" : settings.instanceHost(),
            settings.network(),
            resources.memoryBytes(),
            Math.round(resources.cpus() * 1_000_000_000L),
            resources.pids(),
            ContainerSettings.USER,
            List.of("ALL"),
            List.of("no-new-privileges"),
            true,
            Map.of("/tmp", ContainerSettings.TMPFS_OPTIONS));
    return settings.stateMount().apply(spec, def.name());
  }

  /**
   * The definition's variables, then the platform's, which win: an instance must listen where the
   * platform probes it. Nothing about Redis or the Docker engine is ever passed in.
   */
  static List<String> environment(FunctionDefinition def) {
    return environment(
        def.environment(),
        Map.of(
            "PORT", Integer.toString(def.port()),
            "STOKE_FUNCTION", def.name(),
            "STOKE_CONCURRENCY", Integer.toString(def.scaling().concurrency())));
  }

  /** {@code NAME=value} entries of a function's variables and the platform's, which win. */
  public static List<String> environment(Map<String, String> own, Map<String, String> platform) {
    var env = new TreeMap<>(own);
    env.putAll(platform);
    var entries = new ArrayList<String>();
    env.forEach((k, v) -> entries.add(k + "=" + v));
    return entries;
  }
}
