package io.stoke.orchestrator.instances;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * Asks an instance's own readiness path ({@code GET /_/ready} on Stoke's runtimes, the definition's
 * {@code readinessPath} otherwise) whether it serves; a started container is not a ready function.
 * Speaks minimal HTTP/1.1 over a fresh socket per attempt, so a refused or reset connection (the
 * port is published before the server listens) costs microseconds.
 */
public final class ReadinessProbe {

  static final long FIRST_INTERVAL_MS = 2;
  static final long MAX_INTERVAL_MS = 50;

  /**
   * First per-attempt timeout. Docker's port proxy accepts before the container's network is up and
   * then stalls, so a short first timeout (doubling when it expires) stops one early attempt from
   * costing a whole second.
   */
  static final int FIRST_ATTEMPT_TIMEOUT_MS = 50;

  static final int MAX_ATTEMPT_TIMEOUT_MS = 1000;

  /** How a wait for readiness ended. */
  public enum Outcome {
    READY,
    GONE,
    TIMED_OUT
  }

  private final Clock clock;

  public ReadinessProbe(Clock clock) {
    this.clock = clock;
  }

  /**
   * Polls {@code path} until the instance answers 2xx, {@code gone} says its container exited, or
   * the deadline (epoch ms) passes. The interval starts at 2 ms and grows to 50 ms.
   */
  public Outcome await(String host, int port, String path, long deadlineMs, BooleanSupplier gone) {
    long interval = FIRST_INTERVAL_MS;
    int attemptTimeout = FIRST_ATTEMPT_TIMEOUT_MS;
    while (true) {
      if (gone.getAsBoolean()) {
        return Outcome.GONE;
      }
      long remaining = deadlineMs - clock.millis();
      if (remaining <= 0) {
        return Outcome.TIMED_OUT;
      }
      long attemptStart = clock.millis();
      if (isReady(host, port, path, (int) Math.min(remaining, attemptTimeout))) {
        return Outcome.READY;
      }
      if (clock.millis() - attemptStart >= attemptTimeout) {
        attemptTimeout = Math.min(MAX_ATTEMPT_TIMEOUT_MS, attemptTimeout * 2);
      }
      try {
        Thread.sleep(Math.min(interval, Math.max(1, deadlineMs - clock.millis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Outcome.GONE;
      }
      interval = nextInterval(interval);
    }
  }

  /** The next polling interval: grows by half, capped at 50 ms. */
  static long nextInterval(long interval) {
    return Math.min(MAX_INTERVAL_MS, interval + Math.max(1, interval / 2));
  }

  /** One attempt: true when {@code path} answers 2xx within {@code timeoutMs}. */
  public boolean isReady(String host, int port, String path, int timeoutMs) {
    try (var socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      var request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + host
              + ":"
              + port
              + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return isOkStatusLine(readLine(socket.getInputStream()));
    } catch (IOException e) {
      return false;
    }
  }

  static boolean isOkStatusLine(String line) {
    var parts = line.split(" ", 3);
    return parts.length >= 2
        && parts[0].startsWith("HTTP/1.")
        && parts[1].length() == 3
        && parts[1].charAt(0) == '2'
        && Character.isDigit(parts[1].charAt(1))
        && Character.isDigit(parts[1].charAt(2));
  }

  private static String readLine(InputStream in) throws IOException {
    var line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n' && line.length() < 256) {
      line.append((char) c);
    }
    return line.toString().strip();
  }
}
