package io.stoke.api;

import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.registry.FunctionCatalog;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Calls of definitions-file functions with {@code mode: exec} (like {@code upper}): the gateway
 * forwards {@code /upper} here with the internal secret. Their per-function limit is the function's
 * {@code scaling.maxInstances}.
 */
@RestController
public class ExecController {

  private final FunctionCatalog catalog;
  private final Activations activations;
  private final long maxBodyBytes;

  public ExecController(
      FunctionCatalog catalog, Activations activations, ApiProperties properties) {
    this.catalog = catalog;
    this.activations = activations;
    this.maxBodyBytes = properties.maxBodySize().toBytes();
  }

  @RequestMapping("/internal/exec/{function}")
  public ResponseEntity<?> invoke(@PathVariable String function, HttpServletRequest request) {
    var definition =
        catalog.read().functions().stream()
            .filter(def -> def.name().equals(function) && def.mode() == ExecutionMode.EXEC)
            .findFirst()
            .orElseThrow(() -> ApiException.notFound("exec function " + function));
    var input = InvocationInput.read(request, maxBodyBytes);
    var resources = definition.resources();
    var target =
        new Activations.Target(
            definition.name(),
            "",
            definition.image(),
            definition.timeout(),
            resources.memoryBytes(),
            resources.cpus(),
            resources.pids(),
            definition.scaling().maxInstances(),
            definition.environment());
    return FunctionController.reply(activations.invoke(target, input));
  }
}
