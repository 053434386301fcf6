package io.stoke.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Entry point of the Java function runtime: loads the handler named by STOKE_HANDLER, serves it on
 * PORT, and on SIGTERM drains in-flight requests and exits 0.
 *
 * <p>With the argument {@code --cds-training} it starts, serves one readiness request to itself and
 * exits, so an image build can record an AppCDS archive of the classes a start needs.
 */
public final class Main {

  /** Exit status when the configuration or the handler cannot be loaded. */
  static final int LOAD_FAILURE = 2;

  private Main() {}

  public static void main(String[] args) throws Exception {
    RuntimeConfig config;
    Handler handler;
    try {
      config = RuntimeConfig.fromEnvironment(System.getenv());
      handler = HandlerLoader.load(config.handler(), Main.class.getClassLoader());
    } catch (RuntimeException e) {
      System.err.println("stoke: cannot start the function: " + e.getMessage());
      e.printStackTrace(System.err);
      System.exit(LOAD_FAILURE);
      return;
    }
    boolean training = args.length > 0 && args[0].equals("--cds-training");
    if (training) {
      config = new RuntimeConfig(0, config.concurrency(), config.function(), config.handler(), 0);
    }
    FunctionServer server = new FunctionServer(config, handler, System.err);
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    server.start();
    System.err.printf(
        "stoke: function '%s' (%s) listening on 0.0.0.0:%d, concurrency %s%n",
        config.function(),
        config.handler(),
        server.port(),
        config.concurrency() == 0 ? "unlimited" : config.concurrency());
    if (training) {
      requestReadiness(server.port());
    } else {
      stop.await();
      System.err.println("stoke: SIGTERM received, draining");
    }
    server.drain();
    System.err.println("stoke: drained, exiting");
    System.exit(0);
  }

  private static void requestReadiness(int port) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + FunctionServer.READY_PATH
                  + " HTTP/1.1\r\nHost: localhost\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      in.readAllBytes();
    }
  }
}
