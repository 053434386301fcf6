package io.stoke.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/** Raw HTTP/1.1 on loopback sockets, for requests no well-behaved client would send (tests). */
final class RawHttp {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private RawHttp() {}

  /** Writes {@code request} as is on a new connection and reads until the gateway closes it. */
  static String exchange(int port, String request) throws IOException {
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Asserts {@code answer} is exactly one JSON error with {@code status} whose message contains
   * {@code text}, sent with {@code Connection: close} before the connection closed.
   */
  static void assertOneJsonError(String answer, int status, String text) {
    assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
    var head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
    assertThat(head).contains("content-type: application/json").contains("connection: close");
    var body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(body.path("status").asInt()).isEqualTo(status);
    assertThat(body.path("error").asString()).contains(text);
    assertThat(Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(answer).results())
        .as("one answer, then the connection closed")
        .hasSize(1);
  }

  /**
   * A loopback "instance" that answers every request head it reads with {@code reply}, counting the
   * heads in {@code heads}. Closing the returned socket stops it.
   */
  static ServerSocket instance(String reply, AtomicInteger heads) throws IOException {
    var socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!socket.isClosed()) {
                try (var connection = socket.accept()) {
                  var in = connection.getInputStream();
                  while (readHead(in)) {
                    heads.incrementAndGet();
                    connection.getOutputStream().write(reply.getBytes(StandardCharsets.US_ASCII));
                    connection.getOutputStream().flush();
                  }
                } catch (IOException closed) {
                  // the server socket closed, or the gateway hung up: nothing left to serve
                }
              }
            });
    return socket;
  }

  /** Reads one request head; false when the connection ended first. */
  private static boolean readHead(java.io.InputStream in) throws IOException {
    var head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        return false;
      }
      head.append((char) c);
    }
    return true;
  }
}
