import io.stoke.runtime.Handler;
import io.stoke.runtime.Json;
import io.stoke.runtime.Request;
import io.stoke.runtime.Response;
import java.util.Map;

/**
 * A Stoke function. The runtime creates one instance and calls handle() for every request, possibly
 * on several threads at once. Request gives method(), path(), query(), headers() (case-insensitive),
 * body() and text(); answer with Response.ok(text), Response.json(jsonText) or Response.of(status,
 * bytes, headers). Json.stringify(maps, lists, strings, numbers) writes JSON text.
 */
public final class __CLASS__ implements Handler {

  @Override
  public Response handle(Request request) {
    String name = request.query("name").orElse("World");
    return Response.json(Json.stringify(Map.of("Hello", name)));
  }
}
