package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.ConnectionProvider;

class FunctionClientsTest {

  private final ArrayList<ConnectionProvider> pools = new ArrayList<>();

  private FunctionClients clients() {
    return new FunctionClients(
        name -> {
          var pool = ConnectionProvider.create(name, 4);
          pools.add(pool);
          return pool;
        },
        client -> client.disableRetry(true));
  }

  @Test
  void givesEachEventLoopItsOwnClientAndReusesIt() {
    var group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try (var clients = clients()) {
      var first = group.next();
      var second = group.next();

      var onFirst = clients.on(first);

      assertThat(clients.on(first)).isSameAs(onFirst);
      assertThat(clients.on(second)).isNotSameAs(onFirst);
      assertThat(clients.on(second).client()).isNotSameAs(onFirst.client());
      assertThat(pools).hasSize(2);
    } finally {
      group.shutdownGracefully();
    }
  }

  @Test
  void closingDisposesEveryPool() {
    var group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      var clients = clients();
      clients.on(group.next());

      clients.close();

      assertThat(pools).hasSize(1).allSatisfy(pool -> assertThat(pool.isDisposed()).isTrue());
    } finally {
      group.shutdownGracefully();
    }
  }
}
