package io.stoke.orchestrator.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.definition.ScalingPolicy;
import io.stoke.orchestrator.TestDefinitions;
import org.junit.jupiter.api.Test;

class ContainerSpecsTest {

  private final ContainerSettings published =
      new ContainerSettings("127.0.0.1", "", new Installation("home"));
  private final ContainerSpec spec =
      ContainerSpecs.forFunction(
          TestDefinitions.python("hello", ScalingPolicy.DEFAULT),
          "stoke-fn/hello:1.0",
          "abc123",
          published);

  @Test
  void namesTheContainerAfterFunctionAndInstance() {
    assertThat(spec.name()).isEqualTo("stoke-hello-abc123");
    assertThat(spec.image()).isEqualTo("stoke-fn/hello:1.0");
  }

  @Test
  void labelsTheContainerWithEverythingReconcileNeeds() {
    var def = TestDefinitions.python("hello", ScalingPolicy.DEFAULT);
    assertThat(spec.labels())
        .containsEntry(Labels.MANAGED, "true")
        .containsEntry(Labels.INSTALLATION, "home")
        .containsEntry(Labels.FUNCTION, "hello")
        .containsEntry(Labels.VERSION, "1.0")
        .containsEntry(Labels.INSTANCE, "abc123")
        .containsEntry(Labels.DIGEST, def.definitionDigest());
  }

  @Test
  void passesThePortTheFunctionNameTheConcurrencyAndTheDefinitionsEnvironment() {
    assertThat(spec.environment())
        .contains(
            "PORT=8080",
            "STOKE_FUNCTION=hello",
            "STOKE_CONCURRENCY=" + ScalingPolicy.DEFAULT.concurrency(),
            "GREETING=hi");
  }

  @Test
  void neverPassesRedisOrTheDockerSocketToAFunction() {
    assertThat(String.join("\n", spec.environment()))
        .doesNotContainIgnoringCase("redis")
        .doesNotContainIgnoringCase("docker");
  }

  @Test
  void hardensTheContainer() {
    assertThat(spec.user()).isEqualTo("10001:10001");
    assertThat(spec.capDrop()).containsExactly("ALL");
    assertThat(spec.securityOpts()).containsExactly("no-new-privileges");
    assertThat(spec.readOnlyRootfs()).isTrue();
    assertThat(spec.tmpfs()).containsKey("/tmp");
  }

  @Test
  void limitsMemoryWithoutSwapCpuAndProcesses() {
    assertThat(spec.memoryBytes()).isEqualTo(128L * 1024 * 1024);
    assertThat(spec.nanoCpus()).isEqualTo(500_000_000L);
    assertThat(spec.pidsLimit()).isEqualTo(64);
  }

  @Test
  void publishesThePortOnLoopbackWhenNoNetworkIsConfigured() {
    assertThat(spec.publishesPort()).isTrue();
    assertThat(spec.publishIp()).isEqualTo("127.0.0.1");
    assertThat(spec.containerPort()).isEqualTo(8080);
    assertThat(spec.network()).isEmpty();
  }

  @Test
  void attachesToTheNetworkInsteadOfPublishingInComposeMode() {
    var compose =
        ContainerSpecs.forFunction(
            TestDefinitions.python("hello", ScalingPolicy.DEFAULT),
            "stoke-fn/hello:1.0",
            "abc123",
            new ContainerSettings("127.0.0.1", "stoke", new Installation("home")));
    assertThat(compose.publishesPort()).isFalse();
    assertThat(compose.network()).isEqualTo("stoke");
  }
}
