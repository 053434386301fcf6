package io.stoke.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
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
 * <p>Nothing is retried here: a failed connect surfaces as {@link java.net.ConnectException} (the
 * caller may try another instance, since nothing reached the function); every later failure is an
 * {@link IOException} for the caller to map.
 */
public final class Upstreams implements AutoCloseable {

  /** Idle keep-alive connections older than this are closed, before the instance's own timeout. */
  static final Duration MAX_IDLE = Duration.ofSeconds(10);

  /** Answer bytes buffered for a slow caller before reading from the instance pauses. */
  private static final int HIGH_WATER_CHUNKS = 64;

  private final int connectTimeoutMs;
  private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();

  public Upstreams(Duration connectTimeout) {
    this.connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
  }

  /**
   * The answer's status line and headers, and its body: {@code whole} when it was all in by the
   * time the answer was emitted (one buffer, the receiver's to release; {@code body} is then not to
   * be subscribed), else {@code body}, to subscribe to exactly once.
   */
  public record Answer(HttpResponse head, Flux<ByteBuf> body, ByteBuf whole) {}

  /**
   * Sends {@code head} (and {@code body}, when not null) to {@code address} over a connection of
   * {@code loop}, whose channel type is {@code channelType}. Emits the answer once its head
   * arrived; cancelling before the answer ended closes the connection.
   */
  public Mono<Answer> send(
      EventLoop loop,
      Class<? extends Channel> channelType,
      InetSocketAddress address,
      HttpRequest head,
      Publisher<ByteBuf> body) {
    return Mono.create(
        sink -> loop(loop, channelType).start(new Exchange(sink, head, body), address));
  }

  /** A timer on {@code loop}, for deadlines of requests served there. */
  public Scheduler timer(EventLoop loop, Class<? extends Channel> channelType) {
    return loop(loop, channelType).timer;
  }

  private Loop loop(EventLoop loop, Class<? extends Channel> channelType) {
    var existing = loops.get(loop);
    return existing != null
        ? existing
        : loops.computeIfAbsent(loop, l -> new Loop(l, channelType, connectTimeoutMs));
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
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

    Loop(EventLoop loop, Class<? extends Channel> channelType, int connectTimeoutMs) {
      this.loop = loop;
      this.timer = Schedulers.fromExecutorService(loop);
      this.bootstrap =
          new Bootstrap()
              .group(loop)
              .channel(channelType)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.SO_KEEPALIVE, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
              .handler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      channel.pipeline().addLast(new HttpClientCodec(), new Handler());
                    }
                  });
      long sweepMs = MAX_IDLE.toMillis() / 2;
      loop.scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    }

    void start(Exchange exchange, InetSocketAddress address) {
      if (!loop.inEventLoop()) {
        loop.execute(() -> start(exchange, address));
        return;
      }
      var channel = pollIdle(address);
      if (channel != null) {
        exchange.begin(channel, this, address);
        return;
      }
      bootstrap
          .connect(address)
          .addListener(
              (ChannelFutureListener)
                  connected -> {
                    if (connected.isSuccess()) {
                      exchange.begin(connected.channel(), this, address);
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
        var handler = channel.pipeline().get(Handler.class);
        if (channel.isActive() && handler.idleSince - oldest > 0) {
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
      channel.pipeline().get(Handler.class).idleSince = System.nanoTime();
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
          var handler = channel.pipeline().get(Handler.class);
          if (handler == null || handler.idleSince - oldest <= 0) {
            channels.remove(channel);
            channel.close();
          }
        }
      }
      idle.values().removeIf(ArrayDeque::isEmpty);
    }

    void close() {
      loop.execute(
          () -> {
            idle.values().forEach(channels -> channels.forEach(Channel::close));
            idle.clear();
          });
    }
  }

  /** The last handler of every connection: hands what arrives to the exchange using it. */
  private static final class Handler extends ChannelInboundHandlerAdapter {
    private Exchange exchange;
    private Loop owner;
    private InetSocketAddress address;
    private long idleSince;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      var current = exchange;
      if (current == null) {
        // Nothing was asked: an instance talking out of turn cannot be trusted with the next call.
        ReferenceCountUtil.release(message);
        ctx.close();
        return;
      }
      current.read(message);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      var current = exchange;
      if (current != null) {
        current.readComplete();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      var current = exchange;
      if (current != null) {
        current.fail(new IOException("the instance closed the connection before it finished"));
      } else if (owner != null) {
        owner.forget(ctx.channel(), address);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      var current = exchange;
      if (current != null) {
        current.fail(cause instanceof IOException ? cause : new IOException(cause));
      }
      ctx.close();
    }
  }

  /**
   * One request and its answer on one connection: writes the request, emits the answer once its
   * head and first bytes are in, then serves the rest of the body to its single subscriber with its
   * demand. Runs on the connection's event loop; calls from elsewhere are moved there.
   */
  private static final class Exchange implements Subscription {
    private final MonoSink<Answer> sink;
    private final HttpRequest request;
    private final Publisher<ByteBuf> requestBody;

    private Channel channel;
    private Handler handler;
    private Loop owner;
    private InetSocketAddress address;
    private Subscription requestBodySubscription;
    private boolean requestSent;

    /** The connection is no longer this exchange's: returned to the idle list or closed. */
    private boolean detached;

    /** The caller gave up: nothing more is delivered. */
    private boolean cancelled;

    private HttpResponse answerHead;
    private boolean answerEmitted;
    private boolean informational;
    private boolean reusable;
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>(4);
    private Subscriber<? super ByteBuf> subscriber;
    private long demand;

    /** The answer's last byte arrived. */
    private boolean complete;

    private Throwable error;

    /** onComplete or onError went to the subscriber. */
    private boolean terminated;

    Exchange(MonoSink<Answer> sink, HttpRequest request, Publisher<ByteBuf> requestBody) {
      this.sink = sink;
      this.request = request;
      this.requestBody = requestBody;
      sink.onCancel(this::cancel);
    }

    void begin(Channel channel, Loop owner, InetSocketAddress address) {
      this.channel = channel;
      this.owner = owner;
      this.address = address;
      this.handler = (Handler) channel.pipeline().last();
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
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(this::written);
      } else {
        requestBody.subscribe(new RequestBodyWriter());
      }
    }

    void failConnect(Throwable cause) {
      if (!cancelled) {
        sink.error(cause);
      }
    }

    private void written(io.netty.util.concurrent.Future<? super Void> write) {
      if (!write.isSuccess()) {
        fail(new IOException("sending the request failed: " + write.cause(), write.cause()));
      }
    }

    /** Streams the caller's body to the connection, one chunk in flight at a time. */
    private final class RequestBodyWriter implements Subscriber<ByteBuf> {
      @Override
      public void onSubscribe(Subscription subscription) {
        requestBodySubscription = subscription;
        subscription.request(1);
      }

      @Override
      public void onNext(ByteBuf chunk) {
        if (detached) {
          chunk.release();
          return;
        }
        channel
            .writeAndFlush(new DefaultHttpContent(chunk))
            .addListener(
                write -> {
                  if (!write.isSuccess()) {
                    written(write);
                  } else if (requestBodySubscription != null) {
                    requestBodySubscription.request(1);
                  }
                });
      }

      @Override
      public void onError(Throwable failure) {
        requestBodySubscription = null;
        fail(failure);
      }

      @Override
      public void onComplete() {
        requestBodySubscription = null;
        if (!detached) {
          requestSent = true;
          channel
              .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
              .addListener(Exchange.this::written);
        }
      }
    }

    void read(Object message) {
      if (message instanceof HttpObject object && object.decoderResult().isFailure()) {
        // A malformed answer, or one cut short by a closed connection: never passed on as whole.
        ReferenceCountUtil.release(message);
        var cause = object.decoderResult().cause();
        fail(new IOException("the instance sent an invalid answer: " + cause.getMessage(), cause));
        return;
      }
      if (message instanceof HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
          informational = true; // 100 Continue and the like: the real answer follows
        } else if (answerHead == null) {
          answerHead = response;
          reusable = HttpUtil.isKeepAlive(response);
        }
      }
      if (!(message instanceof HttpContent content)) {
        return;
      }
      if (informational || cancelled) {
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
      if (!answerEmitted) {
        emitAnswer();
      } else {
        drain();
      }
    }

    /** A head that arrived without body bytes in the same read is emitted now (a slow stream). */
    void readComplete() {
      if (answerHead != null && !answerEmitted && !cancelled) {
        emitAnswer();
      }
    }

    private void emitAnswer() {
      answerEmitted = true;
      var whole = wholeBody();
      Publisher<ByteBuf> rest = this::subscribe;
      sink.success(new Answer(answerHead, whole == null ? Flux.from(rest) : Flux.empty(), whole));
    }

    /** The whole body when it is already in, as one buffer handed over; else null. */
    private ByteBuf wholeBody() {
      if (!complete || chunks.size() > 1) {
        return null;
      }
      terminated = true; // the body is the caller's now; nothing is left to stream
      var only = chunks.poll();
      return only != null ? only : io.netty.buffer.Unpooled.EMPTY_BUFFER;
    }

    private void subscribe(Subscriber<? super ByteBuf> s) {
      if (subscriber != null || terminated) {
        reactor.core.publisher.Operators.error(
            s, new IllegalStateException("an answer body can be read only once"));
        return;
      }
      subscriber = s;
      s.onSubscribe(this);
      onLoop(this::drain);
    }

    @Override
    public void request(long n) {
      onLoop(
          () -> {
            demand = reactor.core.publisher.Operators.addCap(demand, n);
            drain();
          });
    }

    @Override
    public void cancel() {
      onLoop(this::abandon);
    }

    private void onLoop(Runnable action) {
      if (channel == null || channel.eventLoop().inEventLoop()) {
        action.run();
      } else {
        channel.eventLoop().execute(action);
      }
    }

    /** The caller gave up: drop what was buffered, and the connection unless the answer ended. */
    private void abandon() {
      if (cancelled) {
        return;
      }
      cancelled = true;
      subscriber = null;
      releaseChunks();
      if (channel != null && !detached) {
        detach(false);
      }
    }

    void fail(Throwable failure) {
      if (cancelled || terminated || error != null || (complete && detached)) {
        return;
      }
      error = failure;
      if (channel != null && !detached) {
        detach(false);
      }
      if (!answerEmitted) {
        answerEmitted = true;
        releaseChunks();
        sink.error(failure);
      } else {
        drain();
      }
    }

    /** Lets go of the connection: back to the idle list when {@code reuse}, else closed. */
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
        owner.release(channel, address);
      } else {
        channel.close();
      }
    }

    private void drain() {
      var s = subscriber;
      if (s == null || terminated) {
        return;
      }
      while (demand > 0 && !chunks.isEmpty()) {
        demand--;
        s.onNext(chunks.poll());
      }
      if (!chunks.isEmpty()) {
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
