package io.stoke.orchestrator;

import io.stoke.orchestrator.docker.Installation;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The orchestrator's settings, under the prefix {@code stoke}.
 *
 * @param definitions the function definitions file
 * @param functionsDir folder holding function sources and {@code runtimes/}
 * @param redisUrl Redis holding the registry and the streams
 * @param dockerHost the Docker engine's address
 * @param instanceHost the address the gateway reaches published instance ports on
 * @param network a Docker network to attach instances to (compose mode: no published ports, the
 *     host is the container's name); empty for publishing on {@code instanceHost}
 * @param installationId the installation every container this orchestrator makes is labelled with,
 *     and the only one it lists, watches and removes (see {@link Installation}); {@code default}
 *     suits an orchestrator alone on its engine, {@code ./stoke up}, compose and the tests set one
 * @param base base images of the runtime templates
 * @param reconcileInterval how often Docker and the registry are compared
 * @param idleCheckInterval how often instances are checked for idleness
 * @param autoscaleInterval how often the autoscaler decides (and at once on a scale signal)
 * @param reloadPollInterval how often the definitions file's modification time is checked
 * @param pruneImages whether images of removed functions and old versions are deleted
 * @param consumerName this orchestrator's consumer name in the stream group; stable across restarts
 *     so entries it read but did not acknowledge are read again
 * @param demandMaxAge demand older than this is acknowledged without acting on it
 * @param exec the exec workers that run {@code mode: exec} activations
 * @param internalSecret what the api-server proves itself with on {@code /internal/**}; empty = the
 *     one shared through Redis
 * @param liveness the periodic check that replaces READY instances which stopped answering
 */
@ConfigurationProperties("stoke")
public record StokeProperties(
    @DefaultValue("global-function-definition.yml") Path definitions,
    @DefaultValue("functions") Path functionsDir,
    @DefaultValue("redis://127.0.0.1:6379") URI redisUrl,
    @DefaultValue("unix:///var/run/docker.sock") String dockerHost,
    @DefaultValue("127.0.0.1") String instanceHost,
    @DefaultValue("") String network,
    @DefaultValue(Installation.DEFAULT_ID) String installationId,
    @DefaultValue Base base,
    @DefaultValue("5s") Duration reconcileInterval,
    @DefaultValue("1s") Duration idleCheckInterval,
    @DefaultValue("500ms") Duration autoscaleInterval,
    @DefaultValue("1s") Duration reloadPollInterval,
    @DefaultValue("true") boolean pruneImages,
    @DefaultValue("orchestrator") String consumerName,
    @DefaultValue("60s") Duration demandMaxAge,
    @DefaultValue io.stoke.orchestrator.exec.ExecSettings exec,
    @DefaultValue("") String internalSecret,
    @DefaultValue io.stoke.orchestrator.instances.LivenessSettings liveness) {

  public StokeProperties {
    Objects.requireNonNull(definitions, "stoke.definitions");
    Objects.requireNonNull(functionsDir, "stoke.functions-dir");
    Objects.requireNonNull(redisUrl, "stoke.redis-url");
    network = network == null ? "" : network.strip();
    new Installation(installationId);
    base = base == null ? new Base(null, null, null, null) : base;
    Objects.requireNonNull(liveness, "stoke.liveness");
    positive("stoke.reconcile-interval", reconcileInterval);
    positive("stoke.idle-check-interval", idleCheckInterval);
    positive("stoke.autoscale-interval", autoscaleInterval);
    positive("stoke.reload-poll-interval", reloadPollInterval);
    positive("stoke.demand-max-age", demandMaxAge);
    if (consumerName == null || consumerName.isBlank()) {
      throw new IllegalArgumentException("stoke.consumer-name = '', must not be blank");
    }
  }

  /** The installation this orchestrator's containers belong to. */
  public Installation installation() {
    return new Installation(installationId);
  }

  private static void positive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " = " + value + ", must be positive");
    }
  }

  /**
   * Base images the runtime templates build on. Unset values come from the environment variables
   * {@code STOKE_BASE_PYTHON}, {@code STOKE_BASE_JAVA_JRE}, {@code STOKE_BASE_JAVA_JDK}, {@code
   * STOKE_BASE_MINIMAL} (written by scripts/bases.sh), then from public defaults.
   *
   * @param python the python runtime's base
   * @param javaJre the java runtime's run stage
   * @param javaJdk the java runtime's build stage
   * @param minimal the base passed to functions that bring their own Dockerfile
   */
  public record Base(String python, String javaJre, String javaJdk, String minimal) {
    public Base {
      python = pick(python, "STOKE_BASE_PYTHON", "python:3.12-slim");
      javaJre = pick(javaJre, "STOKE_BASE_JAVA_JRE", "eclipse-temurin:21-jre");
      javaJdk = pick(javaJdk, "STOKE_BASE_JAVA_JDK", "eclipse-temurin:21-jdk");
      minimal = pick(minimal, "STOKE_BASE_MINIMAL", "debian:bookworm-slim");
    }

    private static String pick(String configured, String env, String fallback) {
      if (configured != null && !configured.isBlank()) {
        return configured;
      }
      var fromEnv = System.getenv(env);
      return fromEnv != null && !fromEnv.isBlank() ? fromEnv : fallback;
    }
  }
}
