package io.stoke.state.support;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** HTTP/1.1 over a Unix domain socket, as a function's SDK speaks it, for tests. */
public final class UnixHttp {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private UnixHttp() {}

  /** POSTs {@code body} (JSON) to {@code path} on {@code socket}; one request per connection. */
  public static StateClient.Reply post(Path socket, String path, Object body) throws IOException {
    var payload = JSON.writeValueAsBytes(body);
    try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      var head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: state\r\nContent-Type: application/json\r\n"
              + "Content-Length: "
              + payload.length
              + "\r\nConnection: close\r\n\r\n";
      channel.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
      channel.write(ByteBuffer.wrap(payload));
      var response =
          new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      var json = response.substring(response.indexOf("\r\n\r\n") + 4);
      return new StateClient.Reply(
          status, JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {}));
    }
  }
}
