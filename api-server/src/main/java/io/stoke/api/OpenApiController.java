package io.stoke.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Serves the committed OpenAPI 3 document ({@code openapi.json} in this module's resources). */
@RestController
public class OpenApiController {

  private final byte[] document;

  public OpenApiController() {
    try (var in = new ClassPathResource("openapi.json").getInputStream()) {
      document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("openapi.json is missing from the api-server's resources", e);
    }
  }

  @GetMapping("/api/v1/openapi.json")
  public ResponseEntity<byte[]> openApi() {
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(document);
  }
}
