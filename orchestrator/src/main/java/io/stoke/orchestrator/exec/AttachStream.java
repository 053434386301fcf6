package io.stoke.orchestrator.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One hijacked {@code POST /containers/{id}/attach} on the engine's Unix socket: writes stdin,
 * half-closes it (so a {@code StdinOnce} container sees end of input), then demultiplexes the
 * stdout/stderr frames until the container exits. docker-java's attach does not half-close stdin,
 * so a function reading to end of input would never finish; this is the part done by hand.
 */
final class AttachStream implements AutoCloseable {

  /** Receives demultiplexed output; {@code stream} is 1 for stdout and 2 for stderr. */
  interface Sink {
    /** Returns false to stop reading (the output limit was hit). */
    boolean accept(int stream, byte[] payload);
  }

  private final SocketChannel channel;
  private final InputStream in;

  private AttachStream(SocketChannel channel) throws IOException {
    this.channel = channel;
    this.in = Channels.newInputStream(channel);
  }

  /** Attaches to {@code containerId} through the engine at {@code socket}. */
  static AttachStream open(Path socket, String containerId) throws IOException {
    var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      var stream = new AttachStream(channel);
      stream.handshake(containerId);
      return stream;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private void handshake(String containerId) throws IOException {
    var request =
        "POST /containers/"
            + containerId
            + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
            + "Host: docker\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
            + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
    Channels.newOutputStream(channel).write(request.getBytes(StandardCharsets.US_ASCII));
    var status = readLine();
    if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.1 200")) {
      throw new IOException("attach to " + containerId + " refused: " + status);
    }
    while (!readLine().isEmpty()) {
      // Skip the response headers.
    }
  }

  private String readLine() throws IOException {
    var line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("the engine closed the attach connection");
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** Writes {@code input} to the container's stdin and closes it. */
  void sendStdin(byte[] input) throws IOException {
    var out = Channels.newOutputStream(channel);
    out.write(input);
    out.flush();
    channel.shutdownOutput();
  }

  /** Reads frames into {@code sink} until the container's output ends or the sink refuses. */
  void pump(Sink sink) throws IOException {
    byte[] header = new byte[8];
    while (in.readNBytes(header, 0, 8) == 8) {
      int size =
          ((header[4] & 0xff) << 24)
              | ((header[5] & 0xff) << 16)
              | ((header[6] & 0xff) << 8)
              | (header[7] & 0xff);
      byte[] payload = in.readNBytes(size);
      if (!sink.accept(header[0], payload)) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
