package io.stoke.api;

import io.stoke.common.contract.ActivationRecord;
import io.stoke.common.contract.ActivationResult;
import io.stoke.common.contract.UserFunction;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own functions, their invocation and their activation records. */
@RestController
public class FunctionController {

  private final UserFunctions functions;
  private final Activations activations;
  private final long maxBodyBytes;

  public FunctionController(
      UserFunctions functions, Activations activations, ApiProperties properties) {
    this.functions = functions;
    this.activations = activations;
    this.maxBodyBytes = properties.maxBodySize().toBytes();
  }

  @PostMapping("/api/v1/functions")
  @ResponseStatus(HttpStatus.CREATED)
  public UserFunction register(
      @RequestAttribute(IdentityFilter.USER) String user,
      @RequestBody UserFunctions.Registration body) {
    return functions.register(user, body);
  }

  @GetMapping("/api/v1/functions")
  public List<UserFunction> list(@RequestAttribute(IdentityFilter.USER) String user) {
    return functions.list(user);
  }

  @GetMapping("/api/v1/functions/{name}")
  public UserFunction describe(
      @RequestAttribute(IdentityFilter.USER) String user, @PathVariable String name) {
    return functions.require(user, name);
  }

  @DeleteMapping("/api/v1/functions/{name}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  public void delete(
      @RequestAttribute(IdentityFilter.USER) String user, @PathVariable String name) {
    functions.delete(user, name);
  }

  @PostMapping("/api/v1/functions/{name}/invoke")
  public ResponseEntity<?> invoke(
      @RequestAttribute(IdentityFilter.USER) String user,
      @PathVariable String name,
      HttpServletRequest request) {
    var function = functions.require(user, name);
    if (function.isHttp()) {
      // The gateway proxies an http-mode function itself once the orchestrator published it.
      throw new ApiException(
          503, "function " + name + " is not served by the gateway yet; retry in a moment");
    }
    var input = InvocationInput.read(request, maxBodyBytes);
    var target =
        new Activations.Target(
            function.internalName(),
            user,
            function.image(),
            function.timeoutDuration(),
            function.memoryBytes(),
            function.cpus(),
            function.pids(),
            function.maxParallel(),
            java.util.Map.of());
    return reply(activations.invoke(target, input));
  }

  @GetMapping("/api/v1/functions/{name}/activations")
  public List<ActivationRecord> recent(
      @RequestAttribute(IdentityFilter.USER) String user,
      @PathVariable String name,
      @RequestParam(name = "limit", defaultValue = "20") int limit) {
    var function = functions.require(user, name);
    if (limit < 1 || limit > 100) {
      throw ApiException.badRequest("limit = " + limit + ", must be in [1, 100]");
    }
    return activations.recent(user, function.internalName(), limit);
  }

  @GetMapping("/api/v1/activations/{id}")
  public ActivationRecord activation(
      @RequestAttribute(IdentityFilter.USER) String user, @PathVariable String id) {
    return activations
        .record(user, id)
        .orElseThrow(() -> ApiException.notFound("activation " + id));
  }

  /**
   * The one mapping of an activation's outcome to HTTP: the result string as text/plain on success,
   * the JSON error otherwise.
   */
  static ResponseEntity<?> reply(ActivationResult result) {
    if (result.outcome() == io.stoke.common.contract.ActivationOutcome.SUCCEEDED) {
      return ResponseEntity.ok()
          .contentType(MediaType.TEXT_PLAIN)
          .header("X-Stoke-Activation-Id", result.id())
          .body(result.result());
    }
    int status =
        switch (result.outcome()) {
          case SUCCEEDED -> 200;
          case FAILED, OUTPUT_TOO_LARGE -> 502;
          case TIMED_OUT -> 504;
          case NOT_STARTED -> 503;
        };
    var body = new LinkedHashMap<String, Object>();
    body.put("error", result.error());
    body.put("status", status);
    body.put("activationId", result.id());
    body.put("outcome", result.outcome().name());
    body.put("exitCode", result.exitCode());
    return ResponseEntity.status(status)
        .header("X-Stoke-Activation-Id", result.id())
        .contentType(MediaType.APPLICATION_JSON)
        .body(Map.copyOf(body));
  }
}
