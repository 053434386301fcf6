package io.stoke.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * HTTP/1.1 client to function instances and Envoy, written directly on Netty for the warm path:
 * keep-alive connections are kept per event loop and address and used only on that loop, so a warm
 * request is read, forwarded, answered and written back on one thread without locks, pool hand-offs
 * or per-request client configuration. One request at a time per connection; a connection goes back
 * to its loop's idle list only after a complete keep-alive exchange, and is closed on anything else
 * (an error, a cancelled call, a partly read answer).
 *
 * <p>A failed connect surfaces as {@link java.net.ConnectException} (the caller may try another
 * instance, since nothing reached the function); every later failure is an {@link IOException} for
 * the caller to map. Nothing is ever sent twice: once a request's first byte went out, the function
 * may have read it. Idle connections are dropped well before common servers close them ({@link
 * #MAX_IDLE}), and one the instance closed is noticed and dropped when it closes, so a request
 * rarely meets a connection that is going away.
 */
public final class Upstreams implements AutoCloseable {

  /**
   * Idle keep-alive connections older than this are closed: below the idle timeouts of common
   * servers (5 s in Node.js and uvicorn), so the gateway rarely reuses one the instance is closing.
   */
  static final Duration MAX_IDLE = Duration.ofSeconds(4);

  /**
   * An answer with a Content-Length up to this is gathered whole before it is passed on, so it
   * leaves in one write even when the instance wrote its head and body apart (both runtimes do).
   */
  static final int GATHER_LIMIT = 64 * 1024;

  /** Answer chunks buffered for a slow caller before reading from the instance pauses. */
  private static final int HIGH_WATER_CHUNKS = 64;

  private final int connectTimeoutMs;
  private final Executor resolver;
  private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();

  /**
   * @param connectTimeout bound on opening a connection
   * @param resolver runs name lookups of unresolved addresses (Envoy's host), never on a loop
   */
  public Upstreams(Duration connectTimeout, Executor resolver) {
    this.connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    this.resolver = resolver;
  }

  /**
   * The answer's status line and headers, and its body: {@code whole} when it was all in by the
   * time the answer was emitted (one buffer, the receiver's to release; {@code body} is then
   * empty), else {@code body}, to subscribe to exactly once. An answer not passed on must be {@link
   * #discard() discarded}.
   */
  public record Answer(HttpResponse head, Flux<ByteBuf> body, ByteBuf whole, Runnable onDiscard) {

    /** Lets go of an answer nobody will read: releases its bytes and drops its connection. */
    public void discard() {
      onDiscard.run();
    }
  }

  /**
   * Sends {@code head} (and {@code body}, when not null) to {@code address} over a connection of
   * {@code loop}, whose channel type is {@code channelType}. Emits the answer once its head and
   * first bytes arrived; cancelling before the answer ended closes the connection.
   */
  public Mono<Answer> send(
      EventLoop loop,
      Class<? extends Channel> channelType,
      InetSocketAddress address,
      HttpRequest head,
      Publisher<ByteBuf> body) {
    var state = loop(loop, channelType);
    return Mono.create(sink -> state.start(new Exchange(sink, state, address, head, body)));
  }

  /** A timer on {@code loop}, for deadlines of requests served there. */
  public Scheduler timer(EventLoop loop, Class<? extends Channel> channelType) {
    return loop(loop, channelType).timer;
  }

  private Loop loop(EventLoop loop, Class<? extends Channel> channelType) {
    var existing = loops.get(loop);
    return existing != null
        ? existing
        : loops.computeIfAbsent(loop, l -> new Loop(l, channelType, connectTimeoutMs, resolver));
  }

  /**
   * The connection closed (or was reset) before any byte of the answer came back: what the userland
   * proxy of a dead container does with a connection it accepted. The function may or may not have
   * read the request.
   *
   * <p>{@code fresh}: the connection was opened for this request, never used before.
   */
  public static final class NoAnswer extends IOException {
    private final boolean fresh;

    NoAnswer(String message, boolean fresh, Throwable cause) {
      super(message, cause);
      this.fresh = fresh;
    }

    /** Whether the connection was opened for this request (not reused from the idle list). */
    public boolean fresh() {
      return fresh;
    }
  }

  /** Closes every idle connection; connections in use close with their exchange. */
  @Override
  public void close() {
    loops.values().forEach(Loop::close);
  }

  /** Number of idle connections kept for {@code address} on {@code loop} (for tests). */
  int idle(EventLoop loop, InetSocketAddress address) {
    var state = loops.get(loop);
    if (state == null) {
      return 0;
    }
    try {
      return loop.submit(() -> state.idleCount(address)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The connections of one event loop; touched only on that loop. */
  private static final class Loop {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Scheduler timer;
    private final Executor resolver;
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

    Loop(
        EventLoop loop,
        Class<? extends Channel> channelType,
        int connectTimeoutMs,
        Executor resolver) {
      this.loop = loop;
      this.resolver = resolver;
      this.timer = Schedulers.fromExecutorService(loop);
      this.bootstrap =
          new Bootstrap()
              .group(loop)
              .channel(channelType)
              .disableResolver() // addresses arrive resolved; see connect
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.SO_KEEPALIVE, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
              .handler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      channel
                          .pipeline()
                          .addLast(FirstBytes.INSTANCE, new HttpClientCodec(), new Handler());
                    }
                  });
      long sweepMs = MAX_IDLE.toMillis() / 2;
      loop.scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    }

    void start(Exchange exchange) {
      if (!loop.inEventLoop()) {
        loop.execute(() -> start(exchange));
        return;
      }
      if (exchange.cancelled) {
        return;
      }
      var channel = pollIdle(exchange.address);
      if (channel != null) {
        exchange.begin(channel, false);
      } else {
        connect(exchange);
      }
    }

    private void connect(Exchange exchange) {
      var address = exchange.address;
      if (address.isUnresolved()) {
        // A name (Envoy's host): looked up off the loop, then connected on it.
        resolver.execute(
            () -> {
              var resolved = new InetSocketAddress(address.getHostString(), address.getPort());
              loop.execute(() -> connectTo(exchange, resolved));
            });
      } else {
        connectTo(exchange, address);
      }
    }

    private void connectTo(Exchange exchange, InetSocketAddress resolved) {
      if (exchange.cancelled) {
        return;
      }
      if (resolved.isUnresolved()) {
        exchange.failConnect(new UnknownHostException(resolved.getHostString()));
        return;
      }
      bootstrap
          .connect(resolved)
          .addListener(
              (ChannelFutureListener)
                  connected -> {
                    if (connected.isSuccess()) {
                      exchange.begin(connected.channel(), true);
                    } else {
                      exchange.failConnect(connected.cause());
                    }
                  });
    }

    private Channel pollIdle(InetSocketAddress address) {
      var channels = idle.get(address);
      if (channels == null) {
        return null;
      }
      long oldest = System.nanoTime() - MAX_IDLE.toNanos();
      Channel channel;
      while ((channel = channels.pollLast()) != null) {
        if (channel.isActive() && handler(channel).idleSince - oldest > 0) {
          return channel;
        }
        channel.close();
      }
      return null;
    }

    void release(Channel channel, InetSocketAddress address) {
      if (!channel.isActive()) {
        return;
      }
      handler(channel).idleSince = System.nanoTime();
      idle.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(channel);
    }

    void forget(Channel channel, InetSocketAddress address) {
      var channels = idle.get(address);
      if (channels != null) {
        channels.remove(channel);
        if (channels.isEmpty()) {
          idle.remove(address);
        }
      }
    }

    int idleCount(InetSocketAddress address) {
      var channels = idle.get(address);
      return channels == null ? 0 : channels.size();
    }

    private void sweep() {
      long oldest = System.nanoTime() - MAX_IDLE.toNanos();
      for (var channels : idle.values()) {
        for (var channel : channels.toArray(Channel[]::new)) {
          if (handler(channel).idleSince - oldest <= 0) {
            channels.remove(channel);
            channel.close();
          }
        }
      }
      idle.values().removeIf(ArrayDeque::isEmpty);
    }

    void close() {
      Runnable closeAll =
          () -> {
            idle.values().forEach(channels -> channels.forEach(Channel::close));
            idle.clear();
          };
      if (loop.isShuttingDown()) {
        return; // the loop closes its channels itself
      }
      try {
        loop.execute(closeAll);
      } catch (RejectedExecutionException shutDown) {
        // the loop is gone, and its channels with it
      }
    }

    private static Handler handler(Channel channel) {
      return (Handler) channel.pipeline().last();
    }
  }

  /** The first handler of every connection: notes that bytes of an answer arrived. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class FirstBytes extends ChannelInboundHandlerAdapter {
    static final FirstBytes INSTANCE = new FirstBytes();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      Loop.handler(ctx.channel()).bytesRead = true;
      ctx.fireChannelRead(message);
    }
  }

  /** The last handler of every connection: hands what arrives to the exchange using it. */
  private static final class Handler extends ChannelInboundHandlerAdapter {
    private Exchange exchange;
    private Loop owner;
    private InetSocketAddress address;
    private long idleSince;

    /** Bytes arrived since the current exchange began (set by {@link FirstBytes}). */
    private boolean bytesRead;

    /** The exchange ended well in this read: back to the idle list once the read is done. */
    private boolean releaseAfterRead;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      var current = exchange;
      if (current == null) {
        // Nothing was asked: an instance talking out of turn cannot be trusted with the next call.
        ReferenceCountUtil.release(message);
        releaseAfterRead = false;
        ctx.close();
        return;
      }
      current.read(message);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (releaseAfterRead) {
        releaseAfterRead = false;
        owner.release(ctx.channel(), address);
      }
      var current = exchange;
      if (current != null) {
        current.readComplete();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      releaseAfterRead = false;
      var current = exchange;
      if (current != null) {
        current.closedByInstance();
      } else if (owner != null) {
        owner.forget(ctx.channel(), address);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      var current = exchange;
      if (current != null) {
        current.fail(current.lost(String.valueOf(cause.getMessage()), cause));
      }
      ctx.close();
    }
  }

  /**
   * One request and its answer on one connection: writes the request, emits the answer once its
   * head and first bytes are in, then serves the rest of the body to its single subscriber with its
   * demand. All state is touched on the loop only; calls from elsewhere are moved there.
   */
  private static final class Exchange implements Subscription {
    private final MonoSink<Answer> sink;
    private final Loop owner;
    private final EventLoop loop;
    private final InetSocketAddress address;
    private final HttpRequest request;
    private final Publisher<ByteBuf> requestBody;

    private Channel channel;
    private Handler handler;
    private Subscription requestBodySubscription;
    private boolean requestSent;

    /** The connection was opened for this exchange. */
    private boolean fresh;

    /** The connection is no longer this exchange's: returned to the idle list or closed. */
    private boolean detached;

    /** The caller gave up (set at once from any thread; acted on, on the loop). */
    private volatile boolean cancelled;

    private HttpResponse answerHead;
    private boolean answerEmitted;
    private boolean informational;
    private boolean reusable;

    /** A small answer of known length: emitted once it is all in. */
    private boolean gather;

    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>(4);
    private Subscriber<? super ByteBuf> subscriber;
    private long demand;

    /** The answer's last byte arrived. */
    private boolean complete;

    private Throwable error;

    /** onComplete or onError went to the subscriber, or the body was handed over whole. */
    private boolean terminated;

    private boolean draining;
    private boolean drainAgain;

    Exchange(
        MonoSink<Answer> sink,
        Loop owner,
        InetSocketAddress address,
        HttpRequest request,
        Publisher<ByteBuf> requestBody) {
      this.sink = sink;
      this.owner = owner;
      this.loop = owner.loop;
      this.address = address;
      this.request = request;
      this.requestBody = requestBody;
      sink.onCancel(
          () -> {
            cancelled = true;
            onLoop(this::abandon);
          });
    }

    void begin(Channel channel, boolean fresh) {
      this.channel = channel;
      this.fresh = fresh;
      this.handler = Loop.handler(channel);
      handler.bytesRead = false;
      handler.exchange = this;
      handler.owner = owner;
      handler.address = address;
      if (cancelled) {
        detach(false); // cancelled while connecting
        return;
      }
      channel.write(request, channel.voidPromise());
      if (requestBody == null) {
        requestSent = true;
        channel
            .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
            .addListener((ChannelFutureListener) this::written);
      } else {
        requestBody.subscribe(new RequestBodyWriter());
      }
    }

    void failConnect(Throwable cause) {
      if (!cancelled) {
        sink.error(cause);
      }
    }

    private void written(ChannelFuture write) {
      if (!write.isSuccess()) {
        fail(lost("sending the request failed: " + write.cause(), write.cause()));
      }
    }

    /** Streams the caller's body to the connection, one chunk in flight at a time. */
    private final class RequestBodyWriter implements Subscriber<ByteBuf> {
      @Override
      public void onSubscribe(Subscription subscription) {
        onLoop(
            () -> {
              if (detached) {
                subscription.cancel();
                return;
              }
              requestBodySubscription = subscription;
              subscription.request(1);
            });
      }

      @Override
      public void onNext(ByteBuf chunk) {
        onLoop(
            () -> {
              if (detached) {
                chunk.release();
                return;
              }
              channel
                  .writeAndFlush(new DefaultHttpContent(chunk))
                  .addListener(
                      (ChannelFutureListener)
                          write -> {
                            if (!write.isSuccess()) {
                              written(write);
                            } else if (requestBodySubscription != null) {
                              requestBodySubscription.request(1);
                            }
                          });
            });
      }

      @Override
      public void onError(Throwable failure) {
        onLoop(
            () -> {
              requestBodySubscription = null;
              fail(failure);
            });
      }

      @Override
      public void onComplete() {
        onLoop(
            () -> {
              requestBodySubscription = null;
              if (!detached) {
                requestSent = true;
                channel
                    .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener((ChannelFutureListener) Exchange.this::written);
              }
            });
      }
    }

    void read(Object message) {
      if (!(message instanceof HttpObject object)) {
        // Raw bytes after a protocol switch: nothing the gateway can pass on as HTTP/1.1.
        ReferenceCountUtil.release(message);
        fail(new IOException("the instance switched protocols, which functions cannot do"));
        return;
      }
      if (object.decoderResult().isFailure()) {
        // A malformed answer, or one cut short by a closed connection: never passed on as whole.
        ReferenceCountUtil.release(message);
        var cause = object.decoderResult().cause();
        fail(new IOException("the instance sent an invalid answer: " + cause.getMessage(), cause));
        return;
      }
      if (message instanceof HttpResponse response) {
        if (response.status().code() == 101) {
          ReferenceCountUtil.release(message);
          fail(new IOException("the instance switched protocols, which functions cannot do"));
          return;
        }
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
          informational = true; // 100 Continue and the like: the real answer follows
        } else if (answerHead == null) {
          answerHead = response;
          reusable = HttpUtil.isKeepAlive(response);
          long length = HttpUtil.getContentLength(response, -1L);
          gather = length >= 0 && length <= GATHER_LIMIT;
        }
      }
      if (!(message instanceof HttpContent content)) {
        return;
      }
      if (informational || cancelled || detached) {
        content.release();
        if (informational && content instanceof LastHttpContent) {
          informational = false;
        }
        return;
      }
      var bytes = content.content();
      if (bytes.isReadable()) {
        chunks.add(bytes);
      } else {
        bytes.release();
      }
      if (content instanceof LastHttpContent) {
        complete = true;
        detach(reusable && requestSent);
      } else if (chunks.size() >= HIGH_WATER_CHUNKS && channel.config().isAutoRead()) {
        channel.config().setAutoRead(false); // a slow caller: stop reading until it catches up
      }
      if (answerEmitted) {
        drain();
      } else if (complete || !gather) {
        emitAnswer();
      }
    }

    /** A head that arrived without body bytes in the same read is emitted now (a slow stream). */
    void readComplete() {
      if (answerHead != null && !answerEmitted && !gather && !cancelled && error == null) {
        emitAnswer();
      }
    }

    /** The instance closed the connection while this exchange had it. */
    void closedByInstance() {
      fail(lost("the instance closed the connection before it finished answering", null));
    }

    /**
     * The failure of a connection that broke: {@link NoAnswer} when no byte of the answer came
     * back, else an {@link IOException}.
     */
    IOException lost(String what, Throwable cause) {
      if (!handler.bytesRead && answerHead == null) {
        return new NoAnswer(
            "the instance closed the connection without answering: " + what, fresh, cause);
      }
      return cause instanceof IOException io && cause.getMessage() != null
          ? io
          : new IOException(what, cause);
    }

    private void emitAnswer() {
      answerEmitted = true;
      if (cancelled) {
        releaseChunks();
        return;
      }
      var whole = wholeBody();
      Publisher<ByteBuf> rest = this::subscribe;
      sink.success(
          new Answer(
              answerHead,
              whole == null ? Flux.from(rest) : Flux.empty(),
              whole,
              whole == null ? this::cancel : whole::release));
    }

    /** The whole body when it is already in, as one buffer handed over; else null. */
    private ByteBuf wholeBody() {
      if (!complete) {
        return null;
      }
      terminated = true; // the body is the caller's now; nothing is left to stream
      return switch (chunks.size()) {
        case 0 -> Unpooled.EMPTY_BUFFER;
        case 1 -> chunks.poll();
        default -> {
          // Zero-copy: the composite owns the chunks and releases them with itself.
          var whole = Unpooled.wrappedBuffer(chunks.size(), chunks.toArray(ByteBuf[]::new));
          chunks.clear();
          yield whole;
        }
      };
    }

    private void subscribe(Subscriber<? super ByteBuf> s) {
      onLoop(
          () -> {
            if (subscriber != null || terminated || cancelled) {
              Operators.error(s, new IllegalStateException("an answer body can be read only once"));
              return;
            }
            subscriber = s;
            s.onSubscribe(this);
            drain();
          });
    }

    @Override
    public void request(long n) {
      onLoop(
          () -> {
            if (n <= 0) {
              fail(new IllegalArgumentException("request(" + n + "): must be positive"));
              return;
            }
            demand = Operators.addCap(demand, n);
            drain();
          });
    }

    @Override
    public void cancel() {
      cancelled = true;
      onLoop(this::abandon);
    }

    private void onLoop(Runnable action) {
      if (loop.inEventLoop()) {
        action.run();
      } else {
        loop.execute(action);
      }
    }

    /** The caller gave up: drop what was buffered, and the connection unless the answer ended. */
    private void abandon() {
      subscriber = null;
      terminated = true;
      releaseChunks();
      if (requestBodySubscription != null) {
        requestBodySubscription.cancel();
        requestBodySubscription = null;
      }
      if (channel != null && !detached) {
        detach(false);
      }
    }

    void fail(Throwable failure) {
      if (terminated || error != null || (complete && detached)) {
        return;
      }
      error = failure;
      if (channel != null && !detached) {
        detach(false);
      }
      if (!answerEmitted) {
        answerEmitted = true;
        releaseChunks();
        if (!cancelled) {
          sink.error(failure);
        }
      } else if (subscriber == null) {
        releaseChunks(); // nobody reads it (yet): the error waits for a subscriber alone
      } else {
        drain();
      }
    }

    /** Lets go of the connection: back to the idle list after this read when {@code reuse}. */
    private void detach(boolean reuse) {
      detached = true;
      if (requestBodySubscription != null) {
        requestBodySubscription.cancel();
        requestBodySubscription = null;
      }
      if (handler.exchange == this) {
        handler.exchange = null;
      }
      if (!channel.config().isAutoRead()) {
        channel.config().setAutoRead(true);
      }
      if (reuse) {
        handler.releaseAfterRead = true;
      } else {
        channel.close();
      }
    }

    /** Delivers what the subscriber asked for; one loop even when onNext asks for more. */
    private void drain() {
      if (draining) {
        drainAgain = true;
        return;
      }
      draining = true;
      try {
        do {
          drainAgain = false;
          drainOnce();
        } while (drainAgain);
      } finally {
        draining = false;
      }
    }

    private void drainOnce() {
      while (subscriber != null && !terminated && demand > 0 && !chunks.isEmpty()) {
        demand--;
        subscriber.onNext(chunks.poll());
      }
      var s = subscriber;
      if (s == null || terminated || !chunks.isEmpty()) {
        return;
      }
      if (complete || error != null) {
        terminated = true;
        subscriber = null;
        if (error != null) {
          s.onError(error);
        } else {
          s.onComplete();
        }
      } else if (!detached && !channel.config().isAutoRead()) {
        channel.config().setAutoRead(true);
      }
    }

    private void releaseChunks() {
      ByteBuf chunk;
      while ((chunk = chunks.poll()) != null) {
        chunk.release();
      }
    }
  }
}
