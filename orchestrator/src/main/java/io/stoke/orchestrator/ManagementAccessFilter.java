package io.stoke.orchestrator;

import io.stoke.common.management.ManagementAccess;
import io.stoke.common.management.ManagementAccess.Verdict;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/** Applies the shared {@link ManagementAccess} rule to the orchestrator's servlet requests. */
final class ManagementAccessFilter extends OncePerRequestFilter {

  private final ManagementAccess access;

  ManagementAccessFilter(ManagementAccess access) {
    this.access = access;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    // Both spellings a request may be routed on: the servlet path the container decoded and
    // normalized, and the raw path as Spring's handler mappings read it.
    var servletPath =
        request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    var raw = request.getRequestURI().substring(request.getContextPath().length());
    var paths = List.of(servletPath, ManagementAccess.routedPath(raw));
    switch (access.judge(paths, request.getHeader(HttpHeaders.AUTHORIZATION))) {
      case Verdict.Allowed allowed -> chain.doFilter(request, response);
      case Verdict.Refused refused -> {
        response.setStatus(Verdict.Refused.STATUS);
        response.setContentType("application/json");
        response.getOutputStream().write(refused.json().getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
