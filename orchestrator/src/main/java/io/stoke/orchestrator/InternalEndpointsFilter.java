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
 * Lets only Stoke's own services call the orchestrator's endpoints ({@code /internal/**}): a
 * request must carry the internal secret in {@link InternalSecret#HEADER}. These endpoints make the
 * engine act (an image check may pull), so reaching the orchestrator's port is not enough; without
 * the secret the answer is a JSON 401. Deny by default: only {@code /actuator/**} (health, for the
 * scripts and compose) is open, judged on the servlet path the container decoded and normalized, so
 * no spelling of a path ({@code /%69nternal}, {@code /internal;x}, {@code //internal}) slips by.
 */
final class InternalEndpointsFilter extends OncePerRequestFilter {

  static final String OPEN = "/actuator";

  private final InternalSecret secret;

  InternalEndpointsFilter(InternalSecret secret) {
    this.secret = secret;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    var path =
        request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    return path.equals(OPEN) || path.startsWith(OPEN + "/");
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
            ("{\"error\":\"orchestrator endpoint: the internal secret is missing or wrong\","
                    + "\"status\":401}")
                .getBytes(StandardCharsets.UTF_8));
  }
}
