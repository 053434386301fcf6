package io.stoke.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UsersTest {

  @Test
  void acceptsALongPassphraseForAWellFormedName() {
    assertThatCode(() -> Users.checkPassword("alice", "correct horse battery"))
        .doesNotThrowAnyException();
    assertThatCode(() -> Users.checkName("alice")).doesNotThrowAnyException();
  }

  @Test
  void explainsEveryPasswordRuleItEnforces() {
    assertThatThrownBy(() -> Users.checkPassword("alice", "short"))
        .hasMessageContaining("must be 12 to 72 bytes");
    assertThatThrownBy(() -> Users.checkPassword("alice", "alice-is-the-best"))
        .hasMessageContaining("must not contain the user name");
    assertThatThrownBy(() -> Users.checkPassword("alice", "abababababababab"))
        .hasMessageContaining("at least 5 different characters");
  }

  @Test
  void rejectsNamesThatCannotBePartOfAnInternalFunctionName() {
    assertThatThrownBy(() -> Users.checkName("al-ice")).hasMessageContaining("name = al-ice");
    assertThatThrownBy(() -> Users.checkName("Al")).hasMessageContaining("name = Al");
  }

  @Test
  void treatsOnlyRegistrationTokenCreationAndTheDocumentAsPublic() {
    assertThatCode(
            () -> {
              if (!IdentityFilter.isPublic("POST", "/api/v1/users")
                  || !IdentityFilter.isPublic("POST", "/api/v1/tokens")
                  || !IdentityFilter.isPublic("GET", "/api/v1/openapi.json")
                  || IdentityFilter.isPublic("GET", "/api/v1/functions")
                  || IdentityFilter.isPublic("DELETE", "/api/v1/tokens")) {
                throw new AssertionError("public endpoints differ");
              }
            })
        .doesNotThrowAnyException();
  }
}
