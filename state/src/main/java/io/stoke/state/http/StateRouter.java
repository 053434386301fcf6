package io.stoke.state.http;

import io.stoke.common.definition.FunctionDefinition;
import io.stoke.state.Args;
import io.stoke.state.ErrorCode;
import io.stoke.state.Outcome;
import io.stoke.state.coord.CoordService;
import io.stoke.state.coord.SessionService;
import io.stoke.state.kv.KvService;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/** Dispatches {@code group/op} with a JSON body, for one function, to the services. */
public final class StateRouter {

  private static final Logger LOG = LoggerFactory.getLogger(StateRouter.class);

  private final Map<String, BiFunction<String, Args, Outcome>> routes;

  public StateRouter(KvService kv, CoordService coord, SessionService sessions) {
    this.routes =
        Map.ofEntries(
            Map.entry("kv/get", kv::get),
            Map.entry("kv/put", kv::put),
            Map.entry("kv/cas", kv::cas),
            Map.entry("kv/incr", kv::incr),
            Map.entry("kv/delete", kv::delete),
            Map.entry("kv/list", kv::list),
            Map.entry("coord/create", coord::create),
            Map.entry("coord/get", coord::get),
            Map.entry("coord/set", coord::set),
            Map.entry("coord/delete", coord::delete),
            Map.entry("coord/exists", coord::exists),
            Map.entry("coord/children", coord::children),
            Map.entry("coord/multi", coord::multi),
            Map.entry("sessions/open", sessions::open),
            Map.entry("sessions/heartbeat", sessions::heartbeat),
            Map.entry("sessions/close", sessions::close),
            Map.entry("sessions/events", sessions::poll));
  }

  /** Runs {@code route} for {@code function}; every failure becomes an {@link Outcome.Failed}. */
  public Outcome route(String function, String route, Map<String, Object> body) {
    var handler = routes.get(route);
    if (handler == null) {
      return Outcome.failed(
          ErrorCode.NotFound, "no operation " + route + "; one of " + routes.keySet());
    }
    if (!FunctionDefinition.NAME.matcher(function).matches()) {
      return Outcome.failed(
          ErrorCode.BadArguments, "function name must match " + FunctionDefinition.NAME.pattern());
    }
    try {
      return handler.apply(function, new Args(body));
    } catch (Args.BadRequest e) {
      return e.outcome();
    } catch (JedisException e) {
      LOG.warn("{} of {}: Redis did not answer: {}", route, function, e.toString());
      return Outcome.failed(
          ErrorCode.Unavailable, "Redis did not answer; the operation may or may not have applied");
    }
  }
}
