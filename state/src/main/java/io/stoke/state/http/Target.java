package io.stoke.state.http;

import java.util.Optional;

/**
 * Where a request goes: the function and the operation ({@code group/op}). On TCP the function is
 * in the path ({@code /v1/functions/FN/GROUP/OP}); on a function's own socket the socket names it
 * and the path is {@code /v1/GROUP/OP}.
 */
public record Target(String function, String route) {

  /** The admin target of {@code uri} ({@code /admin/v1/functions/FN/OP}), TCP only. */
  public static Optional<Target> admin(String uri) {
    int query = uri.indexOf('?');
    var parts = (query < 0 ? uri : uri.substring(0, query)).split("/", -1);
    return parts.length == 6
            && parts[0].isEmpty()
            && parts[1].equals("admin")
            && parts[2].equals("v1")
            && parts[3].equals("functions")
        ? Optional.of(new Target(parts[4], parts[5]))
        : Optional.empty();
  }

  /** The target of {@code uri}, for the function of the socket, or empty for TCP when null. */
  public static Optional<Target> of(String uri, String socketFunction) {
    int query = uri.indexOf('?');
    var path = query < 0 ? uri : uri.substring(0, query);
    var parts = path.split("/", -1);
    if (socketFunction != null) {
      return parts.length == 4 && parts[0].isEmpty() && parts[1].equals("v1")
          ? Optional.of(new Target(socketFunction, parts[2] + "/" + parts[3]))
          : Optional.empty();
    }
    return parts.length == 6
            && parts[0].isEmpty()
            && parts[1].equals("v1")
            && parts[2].equals("functions")
        ? Optional.of(new Target(parts[3], parts[4] + "/" + parts[5]))
        : Optional.empty();
  }
}
