package io.stoke.orchestrator.docker;

import java.util.Map;

/**
 * A Stoke-labelled container as Docker lists it.
 *
 * @param id the container id
 * @param labels its labels
 * @param running whether it is running
 * @param createdAt epoch milliseconds it was created
 */
public record ManagedContainer(
    String id, Map<String, String> labels, boolean running, long createdAt) {

  public ManagedContainer {
    labels = Map.copyOf(labels);
  }

  public String function() {
    return labels.getOrDefault(Labels.FUNCTION, "");
  }

  public String instanceId() {
    return labels.getOrDefault(Labels.INSTANCE, "");
  }

  public String digest() {
    return labels.getOrDefault(Labels.DIGEST, "");
  }

  public String version() {
    return labels.getOrDefault(Labels.VERSION, "");
  }
}
