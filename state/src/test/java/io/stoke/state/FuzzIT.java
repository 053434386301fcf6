package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.support.StateClient;
import io.stoke.state.support.StateProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Ten thousand random and malformed requests: none gets a 5xx and the service keeps serving. */
class FuzzIT {

  private static final int REQUESTS = 10_000;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final List<String> ROUTES =
      List.of(
          "kv/get",
          "kv/put",
          "kv/cas",
          "kv/incr",
          "kv/delete",
          "kv/list",
          "coord/create",
          "coord/get",
          "coord/set",
          "coord/delete",
          "coord/exists",
          "coord/children",
          "coord/multi",
          "sessions/open",
          "sessions/heartbeat",
          "sessions/close",
          "sessions/events",
          "kv/x",
          "");
  private static final List<String> FIELDS =
      List.of(
          "key",
          "value",
          "ttlMs",
          "ifVersion",
          "delta",
          "prefix",
          "after",
          "limit",
          "path",
          "data",
          "mode",
          "version",
          "ops",
          "session",
          "watch",
          "timeoutMs",
          "op");

  @Test
  void tenThousandRandomAndMalformedRequestsNeverCrashTheService() throws Exception {
    try (var redis = RedisServer.start();
        var state = StateProcess.start(redis.url(), 0)) {
      var client = state.client();
      client.call("fuzz", "kv/put", Map.of("key", "canary", "value", "alive"));
      var statuses = new ConcurrentHashMap<Integer, AtomicInteger>();
      var serverErrors = new ConcurrentHashMap<String, String>();
      try (var pool = Executors.newFixedThreadPool(4)) {
        var runs = new ArrayList<java.util.concurrent.Future<Void>>();
        for (int t = 0; t < 4; t++) {
          long seed = 1000 + t;
          runs.add(pool.submit(() -> fuzz(new Random(seed), state.port(), statuses, serverErrors)));
        }
        for (var run : runs) {
          run.get(); // a client that failed fails the test with its cause
        }
      }
      int total = statuses.values().stream().mapToInt(AtomicInteger::get).sum();
      System.out.println("fuzz: " + total + " requests, statuses " + statuses);
      assertThat(total).isGreaterThanOrEqualTo(REQUESTS);
      assertThat(serverErrors).as("requests answered with 5xx").isEmpty();
      assertThat(client.call("fuzz", "kv/get", Map.of("key", "canary")).get("value"))
          .isEqualTo("alive");
    }
  }

  private static Void fuzz(
      Random random, int port, Map<Integer, AtomicInteger> statuses, Map<String, String> errors)
      throws IOException {
    var client = new StateClient(port);
    for (int i = 0; i < REQUESTS / 4; i++) {
      String path =
          "/v1/functions/" + functionName(random) + "/" + ROUTES.get(random.nextInt(ROUTES.size()));
      int status;
      String sent;
      if (random.nextInt(10) < 7) {
        sent = random.nextInt(5) == 0 ? garbage(random) : JSON.writeValueAsString(body(random));
        var reply = rawOrJson(client, path, sent);
        status = reply;
      } else {
        sent = malformedHttp(random, path);
        status = socket(port, sent);
      }
      statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
      if (status >= 500) {
        errors.put(path + " " + sent, Integer.toString(status));
      }
    }
    return null;
  }

  private static int rawOrJson(StateClient client, String path, String body) throws IOException {
    try {
      return client.raw(path, body).status();
    } catch (StateClient.NotJson notJson) {
      return 599; // every answer must be JSON
    } catch (java.net.http.HttpTimeoutException e) {
      throw new IOException("no answer to " + path + " " + body, e);
    }
  }

  private static String functionName(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> "";
      case 1 -> "Upper";
      case 2 -> "%2e%2e";
      default -> "fz" + random.nextInt(3);
    };
  }

  private static Map<String, Object> body(Random random) {
    var body = new LinkedHashMap<String, Object>();
    int fields = random.nextInt(6);
    for (int i = 0; i < fields; i++) {
      body.put(FIELDS.get(random.nextInt(FIELDS.size())), value(random, 0));
    }
    return body;
  }

  private static Object value(Random random, int depth) {
    return switch (random.nextInt(depth > 2 ? 6 : 9)) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt(5) - 1;
      case 3 -> random.nextLong();
      case 4 -> random.nextDouble() * 1e300;
      case 5 -> text(random);
      case 6 -> java.util.Arrays.asList(value(random, depth + 1), value(random, depth + 1));
      case 7 -> body(random);
      default -> {
        var op = new LinkedHashMap<String, Object>(body(random));
        op.put("op", List.of("create", "set", "delete", "check", "get").get(random.nextInt(5)));
        op.put("path", "/" + text(random));
        yield List.of(op);
      }
    };
  }

  private static String text(Random random) {
    var alphabet = "ab/.-_\u0000\u0001\n\u00e9\u4e2d\ud83d\ude00\ud800\\\"'%*\u00ff";
    var text = new StringBuilder();
    int length = random.nextInt(10) == 0 ? 2000 : random.nextInt(12);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  private static String garbage(Random random) {
    var bytes = new byte[random.nextInt(200)];
    random.nextBytes(bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static String malformedHttp(Random random, String path) {
    var lines = new ArrayList<String>();
    switch (random.nextInt(6)) {
      case 0 -> lines.add(garbage(random));
      case 1 -> lines.add("POST " + path + " HTTP/9.9");
      case 2 -> lines.add("POST " + path + "?" + "q".repeat(random.nextInt(10_000)) + " HTTP/1.1");
      case 3 -> lines.add("DELETE " + path + " HTTP/1.1");
      default -> lines.add("POST " + path + " HTTP/1.1");
    }
    lines.add("Host: 127.0.0.1");
    var body = JSON.writeValueAsString(body(random));
    switch (random.nextInt(5)) {
      case 0 -> lines.add("Content-Length: " + (body.length() + random.nextInt(50)));
      case 1 -> lines.add("Content-Length: -" + random.nextInt(100));
      case 2 -> lines.add("Content-Length: 99999999999999");
      case 3 -> lines.add("Transfer-Encoding: chunked");
      default -> lines.add("X-" + garbage(random).replace('\n', ' ') + ": " + garbage(random));
    }
    return String.join("\r\n", lines) + "\r\n\r\n" + body;
  }

  /** Sends raw bytes; the status of the first answer, or 0 when the server just closed. */
  private static int socket(int port, String request) throws IOException {
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput();
      return statusOf(socket.getInputStream());
    } catch (java.net.SocketException closed) {
      return 0;
    }
  }

  private static int statusOf(InputStream in) throws IOException {
    var head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
    if (!head.startsWith("HTTP/1.1 ")) {
      return 0;
    }
    return Integer.parseInt(head.substring(9, 12));
  }
}
