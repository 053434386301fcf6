package io.stoke.gateway;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Sends raw HTTP/1.1 requests one after another on one kept-alive connection (for tests). */
public final class KeptAlive {

  private KeptAlive() {}

  /**
   * Sends {@code requests} in turn, {@code count} in all, each after the previous one's answer;
   * returns how many answers had each status. A request that gets no answer within 10 s fails with
   * its number: the bound catches a lost request, it measures nothing.
   */
  public static Map<Integer, Integer> exchange(int port, List<String> requests, int count)
      throws IOException {
    var statuses = new TreeMap<Integer, Integer>();
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      var in = new BufferedInputStream(socket.getInputStream());
      var out = socket.getOutputStream();
      for (int i = 0; i < count; i++) {
        out.write(requests.get(i % requests.size()).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        try {
          statuses.merge(readResponse(in), 1, Integer::sum);
        } catch (SocketTimeoutException lost) {
          throw new AssertionError("request " + i + " on the connection got no answer", lost);
        }
      }
    }
    return statuses;
  }

  /** Reads one HTTP/1.1 answer with a Content-Length body; returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    var head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    var lines = head.toString().split("\r\n");
    int length = 0;
    for (var line : lines) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(lines[0].split(" ")[1]);
  }
}
