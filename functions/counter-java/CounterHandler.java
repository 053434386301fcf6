import io.stoke.runtime.Handler;
import io.stoke.runtime.Json;
import io.stoke.runtime.Request;
import io.stoke.runtime.Response;
import io.stoke.runtime.State;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * counter-java: the page-hit counter of functions/counter in Java. The count lives in the state
 * service, reached through the function's own Unix socket (STOKE_STATE_SOCKET), so it survives
 * scale to zero and restarts of the platform; the key is the request path.
 */
public final class CounterHandler implements Handler {

  private final State state = State.fromEnvironment();

  @Override
  public Response handle(Request request) {
    var page = request.path() == null || request.path().isEmpty() ? "/" : request.path();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("page", page);
    answer.put("hits", state.incr("hits:" + page, 1));
    return Response.json(Json.stringify(answer));
  }
}
