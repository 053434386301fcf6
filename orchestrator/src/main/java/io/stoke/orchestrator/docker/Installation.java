package io.stoke.orchestrator.docker;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The installation a container belongs to: every container an orchestrator makes carries its id,
 * and everything that lists, watches or removes containers filters on it, so installations (and
 * test runs) sharing one Docker engine never touch each other's containers.
 *
 * @param id a short token of lowercase letters, digits and dashes ({@code stoke.installation-id})
 */
public record Installation(String id) {

  /** The setting that names it. */
  public static final String KEY = "stoke.installation-id";

  /** Used when nothing sets one: an orchestrator started by hand, alone on its engine. */
  public static final String DEFAULT_ID = "default";

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  public Installation {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          KEY
              + " = '"
              + id
              + "', must be 1 to 40 characters of a-z, 0-9 and '-', starting with a letter or"
              + " digit");
    }
  }

  /** The labels that mark an instance container as this installation's. */
  public Map<String, String> instanceLabels() {
    return Map.of(Labels.MANAGED, "true", Labels.INSTALLATION, id);
  }

  /** The {@code key=value} label filter that selects this installation's containers. */
  public String labelFilter() {
    return Labels.INSTALLATION + "=" + id;
  }

  /** Whether a container (or an event about one) with these labels is an instance of this one. */
  public boolean ownsInstance(Map<String, String> labels) {
    return labels != null
        && "true".equals(labels.get(Labels.MANAGED))
        && id.equals(labels.get(Labels.INSTALLATION));
  }
}
