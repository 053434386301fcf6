import io.stoke.runtime.Handler;
import io.stoke.runtime.Json;
import io.stoke.runtime.Request;
import io.stoke.runtime.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** echo: answers the request it received (method, path, query, headers, body) as JSON. */
public final class EchoHandler implements Handler {

  @Override
  public Response handle(Request request) {
    Map<String, Object> echo = new LinkedHashMap<>();
    echo.put("method", request.method());
    echo.put("path", request.path());
    echo.put("query", request.query());
    echo.put("headers", request.headers());
    echo.put("body", request.text());
    return Response.json(Json.stringify(echo));
  }
}
