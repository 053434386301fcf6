package io.stoke.state.support;

import io.stoke.state.StateApplication;
import io.stoke.state.http.StateServer;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The state service started in this JVM on a free (or given) port, against a given Redis. */
public final class StateProcess implements AutoCloseable {

  private final ConfigurableApplicationContext context;

  private StateProcess(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /** Starts it with {@code redisUrl}, port (0 = free) and extra {@code --key=value} arguments. */
  public static StateProcess start(String redisUrl, int port, String... extra) {
    var args =
        new ArrayList<>(List.of("--stoke.redis-url=" + redisUrl, "--stoke.state.port=" + port));
    args.addAll(List.of(extra));
    return new StateProcess(
        new SpringApplicationBuilder(StateApplication.class).run(args.toArray(String[]::new)));
  }

  public int port() {
    return context.getBean(StateServer.class).port();
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public StateClient client() {
    return new StateClient(port());
  }

  @Override
  public void close() {
    context.close();
  }
}
