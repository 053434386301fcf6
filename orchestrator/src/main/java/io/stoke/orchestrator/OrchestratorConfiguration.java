package io.stoke.orchestrator;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.stoke.common.contract.InternalSecret;
import io.stoke.common.management.ManagementAccess;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.definitions.FunctionSet;
import io.stoke.orchestrator.docker.ContainerSettings;
import io.stoke.orchestrator.docker.DockerContainers;
import io.stoke.orchestrator.docker.StateMount;
import io.stoke.orchestrator.exec.ExecRunner;
import io.stoke.orchestrator.exec.ExecSettings;
import io.stoke.orchestrator.exec.ExecWorker;
import io.stoke.orchestrator.image.ImageBuilder;
import io.stoke.orchestrator.instances.InstanceManager;
import io.stoke.orchestrator.instances.ReadinessProbe;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import redis.clients.jedis.UnifiedJedis;

/** Wires the orchestrator's parts; each is a plain class, testable without Spring. */
@Configuration(proxyBeanMethods = false)
class OrchestratorConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "close")
  UnifiedJedis redis(StokeProperties properties) {
    return RedisConnections.open(properties.redisUrl());
  }

  /** The secret the api-server proves itself with on {@code /internal/**}. */
  @Bean
  InternalSecret internalSecret(UnifiedJedis redis, StokeProperties properties) {
    return InternalSecret.resolve(redis, properties.internalSecret());
  }

  /** Keeps {@code /actuator} but health and info to the holder of {@code stoke.metrics-token}. */
  @Bean
  FilterRegistrationBean<ManagementAccessFilter> managementAccessFilter(
      @Value("${stoke.metrics-token:}") String token) {
    var filter = new ManagementAccessFilter(new ManagementAccess(token, "stoke.metrics-token"));
    var registration = new FilterRegistrationBean<>(filter);
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  @Bean
  InternalEndpointsFilter internalEndpointsFilter(InternalSecret secret) {
    return new InternalEndpointsFilter(secret);
  }

  @Bean(destroyMethod = "close")
  DockerClient dockerClient(StokeProperties properties) {
    var config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(properties.dockerHost())
            .build();
    var http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(64)
            .connectionTimeout(Duration.ofSeconds(5))
            .build();
    return DockerClientImpl.getInstance(config, http);
  }

  @Bean
  InstanceRegistry instanceRegistry(UnifiedJedis redis) {
    return new InstanceRegistry(redis);
  }

  @Bean
  FunctionCatalog functionCatalog(UnifiedJedis redis) {
    return new FunctionCatalog(redis);
  }

  @Bean
  FunctionSet functionSet() {
    return new FunctionSet();
  }

  @Bean
  DockerContainers dockerContainers(DockerClient docker, StokeProperties properties) {
    return new DockerContainers(docker, properties.installation());
  }

  @Bean
  ReadinessProbe readinessProbe(Clock clock) {
    return new ReadinessProbe(clock);
  }

  @Bean
  ImageBuilder imageBuilder(DockerClient docker, StokeProperties properties) {
    return new ImageBuilder(docker, properties.functionsDir(), properties.base());
  }

  @Bean
  ExecSettings execSettings(StokeProperties properties) {
    return properties.exec();
  }

  @Bean(destroyMethod = "close")
  ExecWorker execWorker(
      StateMount stateMount,
      DockerClient docker,
      DockerContainers containers,
      UnifiedJedis redis,
      StokeProperties properties,
      Clock clock) {
    var settings = properties.exec();
    // Only a worker that runs activations attaches to containers, through the engine's socket.
    var runner =
        new ExecRunner(
            docker,
            containers,
            settings.logTailBytes(),
            properties.installation(),
            settings.enabled() ? unixSocket(properties.dockerHost()) : null,
            stateMount);
    var worker = new ExecWorker(redis, runner, settings, properties.consumerName(), clock);
    if (settings.enabled()) {
      worker.start();
    }
    return worker;
  }

  /** The engine's Unix socket path from {@code unix:///path}; activations attach through it. */
  static java.nio.file.Path unixSocket(String dockerHost) {
    if (!dockerHost.startsWith("unix://")) {
      throw new IllegalArgumentException(
          "stoke.docker-host = "
              + dockerHost
              + ": exec activations attach through a unix:// engine socket; use one, or set"
              + " stoke.exec.enabled=false to run http-mode functions only");
    }
    return java.nio.file.Path.of(dockerHost.substring("unix://".length()));
  }

  /** The state service's per-function socket folders ({@code stoke.state-socket-root}). */
  @Bean
  StateMount stateMount(@Value("${stoke.state-socket-root:}") String socketRoot) {
    return new StateMount(socketRoot);
  }

  @Bean(destroyMethod = "close")
  InstanceManager instanceManager(
      StateMount stateMount,
      DockerContainers docker,
      InstanceRegistry registry,
      UnifiedJedis redis,
      ReadinessProbe probe,
      FunctionSet functions,
      StokeProperties properties,
      Clock clock) {
    var settings =
        new ContainerSettings(
            properties.instanceHost(), properties.network(), properties.installation(), stateMount);
    return new InstanceManager(docker, registry, redis, probe, functions, settings, clock);
  }
}
