package io.stoke.orchestrator.exec;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Internal endpoint the api-server asks at function registration: is {@code ref} present locally,
 * or can it be pulled? Only the orchestrator holds the Docker socket, so the question comes here.
 */
@RestController
public class ImageCheckController {

  private final DockerClient docker;
  private final ExecSettings settings;

  public ImageCheckController(DockerClient docker, ExecSettings settings) {
    this.docker = docker;
    this.settings = settings;
  }

  /** 200 {@code {"available":true}}, or 422 with the reason. */
  @GetMapping("/internal/images")
  public ResponseEntity<Map<String, Object>> check(@RequestParam("ref") String ref) {
    try {
      docker.inspectImageCmd(ref).exec();
      return ResponseEntity.ok(Map.of("available", true, "image", ref, "source", "local"));
    } catch (NotFoundException missing) {
      return pull(ref);
    } catch (RuntimeException e) {
      return unavailable(ref, "cannot inspect image " + ref + ": " + e.getMessage());
    }
  }

  private ResponseEntity<Map<String, Object>> pull(String ref) {
    try {
      boolean done =
          docker
              .pullImageCmd(ref)
              .start()
              .awaitCompletion(settings.pullTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        return unavailable(
            ref, "pulling image " + ref + " took longer than " + settings.pullTimeout());
      }
      docker.inspectImageCmd(ref).exec();
      return ResponseEntity.ok(Map.of("available", true, "image", ref, "source", "pulled"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unavailable(ref, "interrupted while pulling " + ref);
    } catch (RuntimeException e) {
      return unavailable(
          ref, "image " + ref + " is not present and cannot be pulled: " + e.getMessage());
    }
  }

  private static ResponseEntity<Map<String, Object>> unavailable(String ref, String reason) {
    return ResponseEntity.status(422)
        .body(Map.of("available", false, "image", ref, "error", reason));
  }
}
