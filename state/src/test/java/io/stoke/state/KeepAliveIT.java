package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.support.StateProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Refused requests leave a keep-alive connection ready for the next request (FuzzIT found it). */
class KeepAliveIT {

  @Test
  void aRequestRefusedBeforeItsBodyIsReadDoesNotSpoilTheConnection() throws Exception {
    try (var redis = RedisServer.start();
        var state = StateProcess.start(redis.url(), 0);
        var socket = new Socket("127.0.0.1", state.port())) {
      socket.setSoTimeout(10_000);
      var body = "{\"key\":\"" + "k".repeat(20_000) + "\"}";
      for (var path : new String[] {"/v1/functions/a/", "/v1/functions/a/kv/nope", "/nowhere"}) {
        send(socket, path, body);
        assertThat(status(socket.getInputStream())).as(path).isEqualTo(404);
        send(socket, "/v1/functions/a/kv/get", "{\"key\":\"k\"}");
        assertThat(status(socket.getInputStream())).as("the request after " + path).isEqualTo(404);
      }
    }
  }

  private static void send(Socket socket, String path, String body) throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    var head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + bytes.length
            + "\r\n\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Reads one whole response (headers and Content-Length body); returns its status. */
  private static int status(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection closed after: " + head);
      }
      head.write(b);
    }
    var text = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (var line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(text.substring(9, 12));
  }
}
