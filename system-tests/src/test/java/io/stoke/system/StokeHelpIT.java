package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every command of the real {@code ./stoke} script answers -h and --help with its usage. */
class StokeHelpIT {

  @TempDir Path dir;

  @ParameterizedTest(name = "./stoke {0} {1}")
  @CsvSource({
    "up, -h",
    "down, -h",
    "restart, -h",
    "test, -h",
    "validate, -h",
    "new, -h",
    "new, --help",
    "load, -h",
    "load, --help",
    "bench, -h",
    "status, -h",
    "help, -h",
    "--help, ''",
    "-h, ''"
  })
  void everyCommandAnswersHelpWithItsUsageAndExitCodeZero(String command, String flag)
      throws Exception {
    String[] args = flag.isEmpty() ? new String[] {command} : new String[] {command, flag};

    var result =
        StokeCommand.run(
            dir, "help", Map.of("STOKE_STATE", dir.toString()), Duration.ofMinutes(5), args);

    assertThat(result.exitCode()).as(result.both()).isZero();
    assertThat(result.stdout()).as(result.both()).contains("Usage: ./stoke");
    assertThat(result.stderr()).as(result.both()).doesNotContain("unknown option", "is required");
  }

  @ParameterizedTest(name = "./stoke restart {0}")
  @CsvSource({"nosuch", "''"})
  void restartNamesTheServicesItKnowsWhenGivenAnotherName(String service) throws Exception {
    String[] args =
        service.isEmpty() ? new String[] {"restart"} : new String[] {"restart", service};

    var result =
        StokeCommand.run(
            dir, "restart", Map.of("STOKE_STATE", dir.toString()), Duration.ofMinutes(1), args);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("orchestrator").contains("stats-listener");
  }
}
