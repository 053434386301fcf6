package io.stoke.gateway;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

/**
 * The gateway's own HTTP client against real sockets: plain blocking servers on loopback that
 * answer exactly as each case needs (well, slowly, wrongly, or not at all).
 */
@ExtendWith(NoNettyLeaks.class)
class UpstreamsTest {

  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private final Upstreams upstreams = new Upstreams(Duration.ofSeconds(2), Runnable::run);
  private final List<RawServer> servers = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws IOException {
    upstreams.close();
    for (var server : servers) {
      server.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void reusesAKeepAliveConnectionForTheNextRequest() throws Exception {
    var server = server(RawServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

    assertThat(text(send(server, get("/a")))).isEqualTo("ok");
    assertThat(text(send(server, get("/b")))).isEqualTo("ok");

    assertThat(server.connections()).isEqualTo(1);
    assertThat(server.requestLines()).containsExactly("GET /a HTTP/1.1", "GET /b HTTP/1.1");
    assertThat(upstreams.idle(loop, server.address())).isEqualTo(1);
  }

  @Test
  void doesNotReuseAConnectionTheInstanceAskedToClose() throws Exception {
    var server =
        server(
            RawServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));

    assertThat(text(send(server, get("/a")))).isEqualTo("ok");
    assertThat(text(send(server, get("/b")))).isEqualTo("ok");

    assertThat(server.connections()).isEqualTo(2);
    assertThat(upstreams.idle(loop, server.address())).isZero();
  }

  @Test
  void neverResendsARequestEvenAGetWhenItsReusedConnectionWasClosedUnderIt() throws Exception {
    var server = server(closingAsTheSecondRequestArrives());

    assertThat(text(send(server, get("/first")))).isEqualTo("ok");
    var second =
        upstreams.send(loop, NioSocketChannel.class, server.address(), get("/second"), null);

    assertThatThrownBy(second::block).hasCauseInstanceOf(IOException.class);
    assertThat(server.requestLines())
        .containsExactly("GET /first HTTP/1.1", "GET /second HTTP/1.1");
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void signalsTheEndOnceToASubscriberThatAsksForMoreInsideOnNext() throws Exception {
    var server =
        server(
            (in, out) -> {
              RawServer.readRequest(in);
              var answer =
                  new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
              for (int i = 0; i < 200; i++) {
                answer.append("1\r\nx\r\n");
              }
              answer.append("0\r\n\r\n");
              out.write(answer.toString().getBytes(US_ASCII)); // all in one write
              out.flush();
              return true;
            });
    var answer = send(server, get("/"));
    var items = new AtomicInteger();
    var completions = new AtomicInteger();
    var errors = new CopyOnWriteArrayList<Throwable>();
    var done = new CountDownLatch(1);

    answer
        .body()
        .subscribe(
            new org.reactivestreams.Subscriber<ByteBuf>() {
              private org.reactivestreams.Subscription subscription;

              @Override
              public void onSubscribe(org.reactivestreams.Subscription s) {
                subscription = s;
                s.request(1);
              }

              @Override
              public void onNext(ByteBuf item) {
                item.release();
                items.incrementAndGet();
                subscription.request(1); // re-enters the body's delivery
              }

              @Override
              public void onError(Throwable t) {
                errors.add(t);
                done.countDown();
              }

              @Override
              public void onComplete() {
                completions.incrementAndGet();
                done.countDown();
              }
            });

    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    loopCaughtUp(); // a second end signal would come from the same delivery, now finished
    assertThat(items.get()).isEqualTo(200);
    assertThat(completions.get()).isEqualTo(1);
    assertThat(errors).isEmpty();
  }

  @Test
  void failsWhenTheInstanceSwitchesProtocols() throws Exception {
    var server =
        server(
            RawServer.answering(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nraw"));

    var answer = upstreams.send(loop, NioSocketChannel.class, server.address(), get("/"), null);

    assertThatThrownBy(answer::block)
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("switched protocols");
  }

  @Test
  void discardingAnUnreadAnswerDropsItsConnection() throws Exception {
    var closed = new CountDownLatch(1);
    var server =
        server(
            (in, out) -> {
              RawServer.readRequest(in);
              out.write(
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n"
                      .getBytes(US_ASCII));
              out.flush();
              if (in.read() < 0) {
                closed.countDown();
              }
              return false;
            });

    var answer = send(server, get("/stream"));
    answer.discard();

    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(upstreams.idle(loop, server.address())).isZero();
  }

  @Test
  void reportsARefusedConnectionAsConnectException() throws Exception {
    InetSocketAddress nobody;
    try (var socket = new ServerSocket(0)) {
      nobody = new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }

    var answer = upstreams.send(loop, NioSocketChannel.class, nobody, get("/"), null);

    assertThatThrownBy(answer::block).hasCauseInstanceOf(ConnectException.class);
  }

  @Test
  void failsASmallAnswerCutShortBeforePassingAnyOfItOn() throws Exception {
    var server = server(truncating(100));

    var answer = upstreams.send(loop, NioSocketChannel.class, server.address(), get("/"), null);

    assertThatThrownBy(answer::block).hasCauseInstanceOf(IOException.class);
    assertThat(upstreams.idle(loop, server.address())).isZero();
  }

  @Test
  void failsTheBodyOfALargeAnswerCutShortMidStream() throws Exception {
    var server = server(truncating(Upstreams.GATHER_LIMIT + 1));

    var answer = send(server, get("/"));
    var end = answer.body().map(UpstreamsTest::release).then().materialize().block();

    assertThat(end.getThrowable()).isInstanceOf(IOException.class);
    assertThat(upstreams.idle(loop, server.address())).isZero();
  }

  @Test
  void gathersASmallAnswerWrittenInPiecesIntoOneBuffer() throws Exception {
    var written = new java.util.concurrent.Semaphore(0);
    var allowed = new java.util.concurrent.Semaphore(0);
    var server =
        server(
            (in, out) -> {
              RawServer.readRequest(in);
              for (var piece :
                  List.of("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", "hello ", "world")) {
                allowed.acquireUninterruptibly();
                out.write(piece.getBytes(US_ASCII));
                out.flush();
                written.release();
              }
              return true;
            });

    var answer =
        upstreams.send(loop, NioSocketChannel.class, server.address(), get("/"), null).toFuture();
    for (int piece = 0; piece < 2; piece++) {
      allowed.release();
      written.acquire();
      loopCaughtUp(); // the client has read the piece
      assertThat(answer).as("not passed on before the last byte").isNotDone();
    }
    allowed.release();

    var whole = answer.get(5, TimeUnit.SECONDS).whole();
    assertThat(whole).as("passed on whole").isNotNull();
    assertThat(release(whole)).isEqualTo("hello world");
    assertThat(upstreams.idle(loop, server.address())).isEqualTo(1);
  }

  /**
   * Answers "ok", except that it closes its (idle, reused) connection when the second request
   * arrives, without answering it.
   */
  private static RawServer.Script closingAsTheSecondRequestArrives() {
    var served = new AtomicInteger();
    return (in, out) -> {
      RawServer.readRequest(in);
      if (served.incrementAndGet() == 2) {
        return false;
      }
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(US_ASCII));
      out.flush();
      return true;
    };
  }

  /** Promises {@code length} bytes, sends ten and closes. */
  private static RawServer.Script truncating(int length) {
    return (in, out) -> {
      RawServer.readRequest(in);
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\nonly ten..")
              .getBytes(US_ASCII));
      out.flush();
      return false;
    };
  }

  @Test
  void failsWhenTheInstanceClosesBeforeAnswering() throws Exception {
    var server =
        server(
            (in, out) -> {
              RawServer.readRequest(in);
              return false;
            });

    var answer = upstreams.send(loop, NioSocketChannel.class, server.address(), get("/"), null);

    assertThatThrownBy(answer::block).hasCauseInstanceOf(IOException.class);
  }

  @Test
  void failsOnAnAnswerThatIsNotHttp() throws Exception {
    var server = server(RawServer.answering("SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n"));

    var answer = upstreams.send(loop, NioSocketChannel.class, server.address(), get("/"), null);

    assertThatThrownBy(answer::block)
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("invalid answer");
    assertThat(upstreams.idle(loop, server.address())).isZero();
  }

  @Test
  void streamsAChunkedRequestBodyAndSkipsAContinueBeforeTheAnswer() throws Exception {
    var server =
        server(
            (in, out) -> {
              var request = RawServer.readRequest(in);
              out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(US_ASCII));
              var body = request.body();
              out.write(
                  ("HTTP/1.1 201 Created\r\nContent-Length: " + body.length + "\r\n\r\n")
                      .getBytes(US_ASCII));
              out.write(body);
              out.flush();
              return true;
            });
    var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
    request.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    Flux<ByteBuf> body =
        Flux.just("first ", "second ", "third")
            .map(part -> Unpooled.copiedBuffer(part, StandardCharsets.UTF_8));

    var answer =
        upstreams.send(loop, NioSocketChannel.class, server.address(), request, body).block();

    assertThat(answer.head().status().code()).isEqualTo(201);
    assertThat(text(answer)).isEqualTo("first second third");
  }

  @Test
  void deliversALongStreamedAnswerWholeToAReaderThatLagsBehind() throws Exception {
    int chunks = 500;
    var written = new CountDownLatch(1);
    var server =
        server(
            (in, out) -> {
              RawServer.readRequest(in);
              out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(US_ASCII));
              for (int i = 0; i < chunks; i++) {
                var part = String.format("%05d;", i);
                out.write(
                    (Integer.toHexString(part.length()) + "\r\n" + part + "\r\n")
                        .getBytes(US_ASCII));
                out.flush();
              }
              out.write("0\r\n\r\n".getBytes(US_ASCII));
              out.flush();
              written.countDown();
              return true;
            });

    var answer = send(server, get("/stream"));
    // Nothing is read until the instance wrote it all: far more chunks than the client buffers
    // wait, so it stops reading; then one chunk at a time.
    assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
    loopCaughtUp();
    var received = new StringBuilder();
    answer
        .body()
        .map(UpstreamsTest::release)
        .limitRate(1)
        .doOnNext(received::append)
        .blockLast(Duration.ofSeconds(30));

    var expected = new StringBuilder();
    for (int i = 0; i < chunks; i++) {
      expected.append(String.format("%05d;", i));
    }
    assertThat(received.toString()).isEqualTo(expected.toString());
    assertThat(upstreams.idle(loop, server.address())).isEqualTo(1);
  }

  @Test
  void cancellingBeforeTheAnswerClosesTheConnection() throws Exception {
    var closed = new CountDownLatch(1);
    var server =
        server(
            (in, out) -> {
              RawServer.readRequest(in);
              // Never answers; sees the gateway hang up.
              if (in.read() < 0) {
                closed.countDown();
              }
              return false;
            });

    var subscription =
        upstreams
            .send(loop, NioSocketChannel.class, server.address(), get("/slow"), null)
            .subscribe();
    await().until(() -> server.requestLines().size() == 1);
    subscription.dispose();

    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(upstreams.idle(loop, server.address())).isZero();
  }

  @Test
  void answersAHeadRequestWithoutWaitingForABody() throws Exception {
    var server = server(RawServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"));
    var head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/");

    var answer = send(server, head);

    assertThat(answer.head().headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("1234");
    assertThat(text(answer)).isEmpty();
    assertThat(upstreams.idle(loop, server.address())).isEqualTo(1);
  }

  private RawServer server(RawServer.Script script) throws IOException {
    var server = new RawServer(script);
    servers.add(server);
    return server;
  }

  private Upstreams.Answer send(RawServer server, HttpRequest request) {
    return upstreams.send(loop, NioSocketChannel.class, server.address(), request, null).block();
  }

  private static HttpRequest get(String path) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
  }

  /** The whole answer body as text, from {@code whole} or the stream. */
  private static String text(Upstreams.Answer answer) {
    if (answer.whole() != null) {
      return release(answer.whole());
    }
    return answer
        .body()
        .map(UpstreamsTest::release)
        .collectList()
        .map(parts -> String.join("", parts))
        .block();
  }

  private static String release(ByteBuf buffer) {
    try {
      return buffer.toString(StandardCharsets.UTF_8);
    } finally {
      buffer.release();
    }
  }

  /**
   * Returns once the event loop ran a task queued now. Bytes written to a loopback socket are in
   * the peer's buffer when the write returns, and the loop reads ready sockets before it runs the
   * tasks that woke it: after this, the client has read everything written before the call.
   */
  private void loopCaughtUp() throws Exception {
    loop.submit(() -> null).get(5, TimeUnit.SECONDS);
    loop.submit(() -> null).get(5, TimeUnit.SECONDS);
  }

  /** A blocking HTTP/1.1 server on loopback whose every connection follows a script. */
  static final class RawServer implements AutoCloseable {

    /** Serves one request on a connection; returns whether to keep the connection for another. */
    interface Script {
      boolean serve(InputStream in, OutputStream out) throws IOException;
    }

    record Request(String line, byte[] body) {}

    private final ServerSocket socket = new ServerSocket(0);
    private final Script script;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<Integer, Boolean> peers = new ConcurrentHashMap<>();

    RawServer(Script script) throws IOException {
      this.script = script;
      Thread.ofVirtual().start(this::accept);
    }

    static Script answering(String response) {
      return (in, out) -> {
        readRequest(in);
        out.write(response.getBytes(US_ASCII));
        out.flush();
        return true;
      };
    }

    InetSocketAddress address() {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }

    int connections() {
      return peers.size();
    }

    List<String> requestLines() {
      return requestLines;
    }

    private static final ThreadLocal<RawServer> CURRENT = new ThreadLocal<>();

    private void accept() {
      while (!socket.isClosed()) {
        try {
          var connection = socket.accept();
          peers.put(connection.getPort(), true);
          Thread.ofVirtual().start(() -> serve(connection));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket connection) {
      CURRENT.set(this);
      try (connection) {
        var in = connection.getInputStream();
        var out = connection.getOutputStream();
        while (script.serve(in, out)) {
          // next request on the same connection
        }
      } catch (IOException endOfConnection) {
        // the client went away
      }
    }

    /** Reads one request: line, headers, and a Content-Length or chunked body. */
    static Request readRequest(InputStream in) throws IOException {
      var line = readLine(in);
      if (line == null) {
        throw new IOException("connection closed");
      }
      long length = 0;
      boolean chunked = false;
      String header;
      while ((header = readLine(in)) != null && !header.isEmpty()) {
        var lower = header.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(header.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      var body = new ByteArrayOutputStream();
      if (chunked) {
        int size;
        while ((size = Integer.parseInt(readLine(in).trim(), 16)) > 0) {
          body.write(in.readNBytes(size));
          readLine(in);
        }
        readLine(in);
      } else {
        body.write(in.readNBytes((int) length));
      }
      var server = CURRENT.get();
      if (server != null) {
        server.requestLines.add(line);
      }
      return new Request(line, body.toByteArray());
    }

    private static String readLine(InputStream in) throws IOException {
      var line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          int end = line.length();
          return end > 0 && line.charAt(end - 1) == '\r'
              ? line.substring(0, end - 1)
              : line.toString();
        }
        line.append((char) c);
      }
      return line.isEmpty() ? null : line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
