package io.stoke.orchestrator;

import io.stoke.common.contract.InternalSecret;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets only Stoke's own services call {@code /internal/**}: the request must carry the internal
 * secret in {@link InternalSecret#HEADER}. These endpoints make the engine act (an image check may
 * pull), so reaching the orchestrator's port is not enough. Anything else answers 401 as JSON.
 */
final class InternalEndpointsFilter extends OncePerRequestFilter {

  static final String PREFIX = "/internal/";

  private final InternalSecret secret;

  InternalEndpointsFilter(InternalSecret secret) {
    this.secret = secret;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith(PREFIX);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (secret.matches(request.getHeader(InternalSecret.HEADER))) {
      chain.doFilter(request, response);
      return;
    }
    response.setStatus(401);
    response.setContentType("application/json");
    response
        .getOutputStream()
        .write(
            ("{\"error\":\"internal endpoint: the internal secret is missing or wrong\","
                    + "\"status\":401}")
                .getBytes(StandardCharsets.UTF_8));
  }
}
