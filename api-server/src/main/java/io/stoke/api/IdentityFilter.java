package io.stoke.api;

import io.stoke.common.contract.InternalSecret;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Trusts the caller's identity only from the gateway: every non-public API call must carry the
 * internal secret and {@code X-Stoke-User}. Also refuses oversized bodies and rate-limits the
 * public registration and token endpoints per client.
 */
public final class IdentityFilter extends OncePerRequestFilter {

  /** Request attribute holding the authenticated user's name. */
  public static final String USER = "stoke.user";

  private final InternalSecret secret;
  private final RateLimiter rateLimiter;
  private final long maxBodyBytes;

  public IdentityFilter(InternalSecret secret, RateLimiter rateLimiter, long maxBodyBytes) {
    this.secret = secret;
    this.rateLimiter = rateLimiter;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    // The path the container decoded and normalized, which is what it routes on: judged on the raw
    // URI, /actuator/../internal/exec/fn would pass as an actuator call and reach the exec
    // endpoint.
    String path =
        request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    if (path.startsWith("/actuator/")) {
      chain.doFilter(request, response);
      return;
    }
    if (request.getContentLengthLong() > maxBodyBytes) {
      write(response, 413, "request body exceeds " + maxBodyBytes + " bytes");
      return;
    }
    if (isPublic(request.getMethod(), path)) {
      if ("POST".equals(request.getMethod())
          && !rateLimiter.allow(path.substring(path.lastIndexOf('/') + 1), client(request))) {
        response.setHeader("Retry-After", "60");
        write(response, 429, "too many requests from this client; try again in a minute");
        return;
      }
      chain.doFilter(request, response);
      return;
    }
    if (!secret.matches(request.getHeader(InternalSecret.HEADER))) {
      write(response, 401, "authentication required: call the API through the gateway");
      return;
    }
    var user = request.getHeader(InternalSecret.USER_HEADER);
    if (path.startsWith("/api/") && (user == null || user.isBlank())) {
      write(response, 401, "authentication required: Authorization: Bearer <API key>");
      return;
    }
    if (user != null) {
      request.setAttribute(USER, user);
    }
    chain.doFilter(request, response);
  }

  static boolean isPublic(String method, String path) {
    return ("POST".equals(method)
            && (path.equals("/api/v1/users") || path.equals("/api/v1/tokens")))
        || ("GET".equals(method) && path.equals("/api/v1/openapi.json"));
  }

  /**
   * The client as the gateway saw it, trusted only on a call that carries the gateway's secret;
   * otherwise the peer address. Never X-Forwarded-For, which the caller writes.
   */
  private String client(HttpServletRequest request) {
    var seen = request.getHeader(InternalSecret.CLIENT_HEADER);
    if (seen != null
        && !seen.isBlank()
        && secret.matches(request.getHeader(InternalSecret.HEADER))) {
      return seen.strip();
    }
    return request.getRemoteAddr();
  }

  private static void write(HttpServletResponse response, int status, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    var json = "{\"error\":\"" + message.replace("\"", "'") + "\",\"status\":" + status + "}";
    response.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
  }
}
