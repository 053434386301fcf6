package io.stoke.api;

import io.stoke.common.contract.InternalSecret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks the orchestrator (the only service with the Docker socket) whether an image is present or
 * can be pulled, so a missing image fails registration instead of every call.
 */
public class ImageCheck {

  private final URI orchestrator;
  private final InternalSecret secret;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  public ImageCheck(URI orchestrator, InternalSecret secret) {
    this.orchestrator = orchestrator;
    this.secret = secret;
  }

  /** Returns when {@code image} is available; 422 with the engine's reason, 503 when unknown. */
  public void requireAvailable(String image) {
    var uri =
        orchestrator.resolve(
            "/internal/images?ref=" + URLEncoder.encode(image, StandardCharsets.UTF_8));
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(90))
                  .header(InternalSecret.HEADER, secret.value())
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ApiException(503, "cannot check image " + image + ": orchestrator unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted while checking image " + image);
    }
    if (response.statusCode() == 200) {
      return;
    }
    if (response.statusCode() == 401) {
      throw new ApiException(
          503,
          "cannot check image "
              + image
              + ": the orchestrator refused the internal secret (configure the same"
              + " stoke.internal-secret on both, or none)");
    }
    if (response.statusCode() == 422) {
      var node = json.readTree(response.body());
      throw new ApiException(422, node.path("error").asString("image " + image + " unavailable"));
    }
    throw new ApiException(
        503, "cannot check image " + image + ": orchestrator answered " + response.statusCode());
  }
}
