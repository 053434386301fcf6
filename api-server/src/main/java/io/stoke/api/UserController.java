package io.stoke.api;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Registration, API key creation and revocation. */
@RestController
public class UserController {

  /** Body of registration and token creation. */
  public record Credentials(String name, String password) {}

  private final Users users;

  public UserController(Users users) {
    this.users = users;
  }

  @PostMapping("/api/v1/users")
  @ResponseStatus(HttpStatus.CREATED)
  public Map<String, Object> register(@RequestBody Credentials body) {
    users.register(body.name(), body.password());
    return Map.of("name", body.name());
  }

  @PostMapping("/api/v1/tokens")
  @ResponseStatus(HttpStatus.CREATED)
  public Users.CreatedKey createToken(@RequestBody Credentials body) {
    return users.createKey(body.name(), body.password());
  }

  @DeleteMapping("/api/v1/tokens/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  public void revoke(@RequestAttribute(IdentityFilter.USER) String user, @PathVariable String id) {
    users.revoke(user, id);
  }
}
