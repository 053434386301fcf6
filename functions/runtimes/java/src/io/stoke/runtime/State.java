package io.stoke.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The function's state service (docs/STATE.md) over the Unix socket named by {@code
 * STOKE_STATE_SOCKET}: key-value state, coordination nodes, sessions and watches. The socket names
 * the function: no address or credential. Error answers throw {@link StateException} with the
 * service's code.
 */
public final class State {

  private final Path socket;

  public State(Path socket) {
    this.socket = socket;
  }

  /** The state of this function, from {@code STOKE_STATE_SOCKET}. */
  public static State fromEnvironment() {
    var path = System.getenv("STOKE_STATE_SOCKET");
    if (path == null || path.isBlank()) {
      throw new IllegalStateException("STOKE_STATE_SOCKET is not set: no state service mounted");
    }
    return new State(Path.of(path));
  }

  /** A value and its version. */
  public record Versioned(String value, long version) {}

  /** An error answer: {@code code} is the service's (NoKey, BadVersion, NodeExists, ...). */
  public static final class StateException extends RuntimeException {
    private final String code;
    private final int status;

    StateException(Map<String, Object> body) {
      super(body.get("error") + ": " + body.getOrDefault("message", body));
      this.code = String.valueOf(body.get("error"));
      this.status = ((Number) body.getOrDefault("status", 0L)).intValue();
    }

    public String code() {
      return code;
    }

    public int status() {
      return status;
    }
  }

  public Optional<Versioned> get(String key) {
    try {
      var answer = call("kv/get", Map.of("key", key));
      return Optional.of(new Versioned((String) answer.get("value"), number(answer, "version")));
    } catch (StateException e) {
      if (e.code().equals("NoKey")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Sets the value; returns its new version. */
  public long put(String key, String value) {
    return number(call("kv/put", Map.of("key", key, "value", value)), "version");
  }

  /** Sets the value only at {@code version} (0 = absent): the new version, or empty. */
  public Optional<Long> cas(String key, String value, long version) {
    try {
      var body = Map.<String, Object>of("key", key, "value", value, "ifVersion", version);
      return Optional.of(number(call("kv/cas", body), "version"));
    } catch (StateException e) {
      if (e.code().equals("BadVersion")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Adds {@code delta} to the integer at {@code key} (absent = 0); returns the new value. */
  public long incr(String key, long delta) {
    var answer = call("kv/incr", Map.of("key", key, "delta", delta));
    return Long.parseLong((String) answer.get("value"));
  }

  /** Deletes the key; false when it did not exist. */
  public boolean delete(String key) {
    try {
      call("kv/delete", Map.of("key", key));
      return true;
    } catch (StateException e) {
      if (e.code().equals("NoKey")) {
        return false;
      }
      throw e;
    }
  }

  /** Opens a session; its watch events queue for {@link Session#waitEvent}. */
  public Session openSession(Duration timeout) {
    return new Session(this, timeout, null);
  }

  /** Opens a session whose watch events go to {@code onEvent}, called on its poller thread. */
  public Session openSession(Duration timeout, Consumer<WatchEvent> onEvent) {
    return new Session(this, timeout, Objects.requireNonNull(onEvent, "onEvent"));
  }

  /** Creates a coordination node; {@code mode} persistent or sequential; returns its path. */
  public String create(String path, String data, String mode) {
    return create(path, data, mode, null);
  }

  /**
   * Creates a node; {@code mode} persistent, ephemeral, sequential or ephemeral_sequential; an
   * ephemeral node belongs to {@code session} and goes when it closes or expires. Returns its path
   * (with the 10-digit suffix of a sequential node).
   */
  public String create(String path, String data, String mode, Session session) {
    var body = new LinkedHashMap<String, Object>(Map.of("path", path, "data", data, "mode", mode));
    if (session != null) {
      body.put("session", session.id());
    }
    return (String) call("coord/create", body).get("path");
  }

  /** A node's data, or empty when it does not exist. */
  public Optional<String> getNode(String path) {
    return getNode(path, null);
  }

  /** A node's data, or empty; {@code watch} (a session) sets a one-shot data watch on it. */
  public Optional<String> getNode(String path, Session watch) {
    try {
      return Optional.of((String) call("coord/get", watched(path, watch)).get("data"));
    } catch (StateException e) {
      if (e.code().equals("NoNode")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Sets a node's data at {@code version} (-1 = any). */
  public void setNode(String path, String data, long version) {
    call("coord/set", Map.of("path", path, "data", data, "version", version));
  }

  public void deleteNode(String path, long version) {
    call("coord/delete", Map.of("path", path, "version", version));
  }

  public boolean exists(String path) {
    return exists(path, null);
  }

  /** Whether the node exists; {@code watch} sets a data watch that also fires on its creation. */
  public boolean exists(String path, Session watch) {
    return Boolean.TRUE.equals(call("coord/exists", watched(path, watch)).get("exists"));
  }

  public List<String> children(String path) {
    return children(path, null);
  }

  /** The child names in byte order; {@code watch} sets a one-shot children watch. */
  @SuppressWarnings("unchecked")
  public List<String> children(String path, Session watch) {
    return (List<String>) call("coord/children", watched(path, watch)).get("children");
  }

  private static Map<String, Object> watched(String path, Session watch) {
    var body = new LinkedHashMap<String, Object>(Map.of("path", path));
    if (watch != null) {
      body.put("watch", watch.id());
    }
    return body;
  }

  /** One operation: a POST of a JSON object, one connection each (HTTP/1.1, Connection: close). */
  @SuppressWarnings("unchecked")
  public Map<String, Object> call(String operation, Map<String, ?> body) {
    var payload = Json.stringify(new LinkedHashMap<>(body)).getBytes(StandardCharsets.UTF_8);
    try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      var head =
          "POST /v1/"
              + operation
              + " HTTP/1.1\r\nHost: state\r\nContent-Type: application/json\r\n"
              + "Content-Length: "
              + payload.length
              + "\r\nConnection: close\r\n\r\n";
      channel.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
      channel.write(ByteBuffer.wrap(payload));
      var answer =
          new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      var json =
          (Map<String, Object>) JsonReader.parse(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      if (status != 200) {
        throw new StateException(json);
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException("state service at " + socket + " did not answer", e);
    }
  }

  private static long number(Map<String, Object> answer, String field) {
    return ((Number) answer.get(field)).longValue();
  }
}
