package io.stoke.functions;

import io.stoke.runtime.Handler;
import io.stoke.runtime.Json;
import io.stoke.runtime.Request;
import io.stoke.runtime.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test handler for the runtime contract, twin of {@code python/contract.py}: fails on /boom, sleeps
 * ?ms= and reports when it ran.
 */
public final class ContractHandler implements Handler {

  @Override
  public Response handle(Request request) throws Exception {
    if (request.path().equals("/boom")) {
      throw new IllegalArgumentException("boom");
    }
    long started = System.currentTimeMillis();
    System.err.println("contract: started " + request.path());
    Thread.sleep(Long.parseLong(request.query("ms").orElse("0")));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("path", request.path());
    result.put("started", started);
    result.put("ended", System.currentTimeMillis());
    return Response.json(Json.stringify(result));
  }
}
