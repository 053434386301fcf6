package io.stoke.gateway.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.stoke.gateway.ErrorReply;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import reactor.netty.NettyPipeline;

/**
 * Closes a connection whose request head does not arrive whole within a bound, counted from the
 * connection's opening for its first request and from the first byte of each later one: a client
 * trickling a header line now and then (slowloris) cannot hold a connection for long. A client that
 * sent part of a head gets 408 with the gateway's JSON error when no response is under way; one
 * that sent nothing is closed without a word. Two handlers around the server's HTTP codec share it:
 * one sees the bytes, the other the decoded requests and the responses. Touched on the connection's
 * event loop only.
 */
final class RequestHeadTimeout {

  static final String BYTES = "stoke.headTimeout.bytes";
  static final String MESSAGES = "stoke.headTimeout.messages";

  /** How long a connection answered 408 is read (and dropped) before it is closed. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private final Channel channel;
  private final Duration limit;
  private ScheduledFuture<?> timer;

  /** Where a 408 is written from: the handler just after the codec. */
  private ChannelHandlerContext messages;

  /** Between requests: the next byte starts a head. */
  private boolean betweenRequests;

  /** Bytes of a head arrived that the codec has not made a request of yet. */
  private boolean partialHead;

  /** The 408 is written: what the client still sends is read and dropped until the close. */
  private boolean lingering;

  /** Requests decoded whose final response is not written whole yet. */
  private int owed;

  private boolean informational;

  RequestHeadTimeout(Channel channel, Duration limit) {
    this.channel = channel;
    this.limit = limit;
  }

  /** Adds the two handlers around the codec and starts the clock of the first head. */
  void install(ChannelPipeline pipeline) {
    pipeline.addBefore(NettyPipeline.HttpCodec, BYTES, new Bytes());
    pipeline.addAfter(NettyPipeline.HttpCodec, MESSAGES, new Messages());
    arm();
  }

  private void arm() {
    timer = channel.eventLoop().schedule(this::expired, limit.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expired() {
    timer = null;
    if (!channel.isActive()) {
      return;
    }
    if (partialHead && owed == 0 && messages != null) {
      answerThenLinger();
    } else {
      channel.close();
    }
  }

  /**
   * Writes the 408, then half-closes and reads on, discarding, for {@link #LINGER} before closing:
   * a client still sending header lines would otherwise meet a closed socket, and the reset its
   * kernel gets back can drop the 408 before the client read it.
   */
  private void answerThenLinger() {
    lingering = true;
    var reply = new ErrorReply(408, "the request head did not arrive within " + limit, null);
    ClosingReply.write(messages, reply)
        .addListener(
            written -> {
              if (written.isSuccess() && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
                channel
                    .eventLoop()
                    .schedule(() -> channel.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
              } else {
                channel.close();
              }
            });
  }

  /** Sees the raw bytes: the first of a head after a finished request starts its clock. */
  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (lingering) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
        partialHead = true;
        if (betweenRequests && timer == null) {
          betweenRequests = false;
          arm();
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      disarm();
      ctx.fireChannelInactive();
    }
  }

  /** Sees the decoded requests (a whole head stops the clock) and the responses written. */
  private final class Messages extends ChannelDuplexHandler {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      messages = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        disarm();
        partialHead = false;
        owed++;
      }
      if (msg instanceof LastHttpContent) {
        // The request is in whole: what comes next is the next request's head.
        betweenRequests = true;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response) {
        informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      }
      if (msg instanceof LastHttpContent && !informational && owed > 0) {
        owed--;
      }
      ctx.write(msg, promise);
    }
  }
}
