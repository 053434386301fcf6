package io.stoke.common.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.management.ManagementAccess.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManagementAccessTest {

  private final ManagementAccess access = new ManagementAccess("s3cret", "stoke.metrics-token");

  private Verdict judge(String path, String authorization) {
    return access.judge(List.of(ManagementAccess.routedPath(path)), authorization);
  }

  @Test
  void leavesHealthInfoAndEveryNonManagementPathOpen() {
    for (String path :
        List.of(
            "/actuator/health",
            "/actuator/health/readiness",
            "/actuator/info",
            "/_/stats",
            "/actuatorx",
            "/")) {
      assertThat(judge(path, null)).as(path).isInstanceOf(Verdict.Allowed.class);
    }
  }

  @Test
  void refusesEveryOtherManagementPathWithoutTheToken() {
    for (String path :
        List.of(
            "/actuator",
            "/actuator/prometheus",
            "/actuator/metrics/jvm.memory.used",
            "/actuator/health/../prometheus",
            "/actuator/env")) {
      assertThat(judge(path, null)).as(path).isInstanceOf(Verdict.Refused.class);
      assertThat(judge(path, "Bearer wrong")).as(path).isInstanceOf(Verdict.Refused.class);
      assertThat(judge(path, "Basic s3cret")).as(path).isInstanceOf(Verdict.Refused.class);
    }
  }

  @Test
  void judgesEncodedParameterisedAndDoubledSpellingsLikeThePlainPath() {
    assertThat(ManagementAccess.routedPath("/%61ctuator/prometheus"))
        .isEqualTo("/actuator/prometheus");
    assertThat(ManagementAccess.routedPath("/actuator;x=1//prometheus;y"))
        .isEqualTo("/actuator/prometheus");
    assertThat(ManagementAccess.routedPath("//")).isEqualTo("/");
    assertThat(ManagementAccess.routedPath("/a%zz/%C3%A9")).isEqualTo("/a%zz/é");
    assertThat(judge("/%61ctuator/prometheus", null)).isInstanceOf(Verdict.Refused.class);
  }

  @Test
  void opensManagementPathsToTheBearerTokenInAnyCaseOfTheScheme() {
    assertThat(judge("/actuator/prometheus", "Bearer s3cret")).isInstanceOf(Verdict.Allowed.class);
    assertThat(judge("/actuator/prometheus", "bearer  s3cret "))
        .isInstanceOf(Verdict.Allowed.class);
    assertThat(judge("/actuator/prometheus", "Bearer s3cre")).isInstanceOf(Verdict.Refused.class);
    assertThat(judge("/actuator/prometheus", "Bearer s3cretX")).isInstanceOf(Verdict.Refused.class);
  }

  @Test
  void protectsTheRequestWhenAnyOfItsSpellingsIsProtected() {
    assertThat(access.judge(List.of("/x", "/actuator/prometheus"), null))
        .isInstanceOf(Verdict.Refused.class);
  }

  @Test
  void keepsManagementPathsClosedWithoutAConfiguredTokenAndSaysWhichSettingOpensThem() {
    for (String token : new String[] {null, "", "  "}) {
      var closed = new ManagementAccess(token, "stoke.metrics-token");
      var verdict = closed.judge(List.of("/actuator/prometheus"), "Bearer ");
      assertThat(verdict).isInstanceOf(Verdict.Refused.class);
      assertThat(((Verdict.Refused) verdict).message()).contains("stoke.metrics-token");
      assertThat(((Verdict.Refused) verdict).json())
          .startsWith("{\"error\":\"the management endpoints are closed")
          .endsWith(",\"status\":401}");
    }
  }
}
