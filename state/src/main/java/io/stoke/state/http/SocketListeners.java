package io.stoke.state.http;

import io.netty.channel.unix.DomainSocketAddress;
import io.stoke.common.definition.FunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * One Unix domain socket per function, {@code ROOT/<function>/state.sock}: the socket names its
 * caller, so a container that has only its own function's folder mounted can reach only that
 * function's state. The orchestrator creates a function's folder; this reconciles the listeners
 * with the folders present (adds, removes) every interval.
 */
public final class SocketListeners implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SocketListeners.class);
  public static final String SOCKET = "state.sock";

  private final Path root;
  private final HttpTransport transport;
  private final Map<String, DisposableServer> servers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("state-sockets").factory());

  public SocketListeners(Path root, HttpTransport transport, Duration interval) throws IOException {
    this.root = root;
    this.transport = transport;
    Files.createDirectories(root);
    timer.scheduleWithFixedDelay(this::reconcile, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The functions whose socket is listening now. */
  public Set<String> listening() {
    return Set.copyOf(servers.keySet());
  }

  private void reconcile() {
    try (var folders = Files.list(root)) {
      var wanted =
          folders
              .filter(Files::isDirectory)
              .map(folder -> folder.getFileName().toString())
              .filter(name -> FunctionDefinition.NAME.matcher(name).matches())
              .collect(Collectors.toSet());
      wanted.stream().filter(fn -> !servers.containsKey(fn)).forEach(this::listen);
      servers.keySet().stream().filter(fn -> !wanted.contains(fn)).toList().forEach(this::stop);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot reconcile the sockets under {}: {}", root, e.toString());
    }
  }

  private void listen(String function) {
    var socket = root.resolve(function).resolve(SOCKET);
    try {
      // A socket file left by a previous run refuses every connection: replace it.
      Files.deleteIfExists(socket);
      var server =
          HttpServer.create()
              .bindAddress(() -> new DomainSocketAddress(socket.toString()))
              .handle((request, response) -> transport.handle(request, response, function))
              .bindNow();
      // Function containers run as uid 10001: connecting needs write permission on the socket.
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
      servers.put(function, server);
      LOG.info("listening for {} on {}", function, socket);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot listen for {} on {}: {}", function, socket, e.toString());
    }
  }

  private void stop(String function) {
    var server = servers.remove(function);
    if (server != null) {
      server.disposeNow(Duration.ofSeconds(5));
      LOG.info("stopped listening for {}", function);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    servers.keySet().stream().toList().forEach(this::stop);
  }
}
