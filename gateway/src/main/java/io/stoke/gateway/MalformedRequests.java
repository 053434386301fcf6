package io.stoke.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;

/**
 * Answers a request the server could not decode (a malformed request line or header, conflicting
 * {@code Content-Length}/{@code Transfer-Encoding}, a request line or header block over the limits)
 * with the gateway's JSON error — 400, or 414/431 for what is too long — and closes the connection,
 * as the server would, but with a body that says what was wrong instead of an empty one. Sits
 * between the server's HTTP codec and Reactor Netty's request handling on each HTTP/1.1 connection
 * (plain or TLS; not on HTTP/2 streams, which the gateway does not enable).
 *
 * <p>It answers only when the connection owes no response: a malformed request pipelined behind one
 * still being served, or a malformed body of a request in progress, belongs to that exchange and
 * goes on to Reactor Netty, which answers in order. Everything decoded fine passes untouched.
 */
final class MalformedRequests extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(MalformedRequests.class);

  static final String NAME = "stoke.malformedRequests";

  /** Adds the handler to every HTTP/1.1 connection of the server. */
  static NettyServerCustomizer customizer() {
    return server ->
        server.doOnChannelInit(
            (observer, channel, remote) -> {
              var pipeline = channel.pipeline();
              if (pipeline.get(NettyPipeline.HttpTrafficHandler) != null) {
                pipeline.addBefore(NettyPipeline.HttpTrafficHandler, NAME, new MalformedRequests());
              }
            });
  }

  // Per connection (the handler is not shared), touched on its event loop only.
  /** Requests passed on whose final response has not been written yet. */
  private int owed;

  /** Whether the response being written is informational (100 Continue): not a final one. */
  private boolean informational;

  /** Whether this handler answered a failure: the connection is closing. */
  private boolean answered;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answered) {
      // The decoder discards what follows a failure; anything still in flight is dropped.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (request.decoderResult().isFailure() && owed == 0) {
        answer(ctx, request);
        return;
      }
      owed++;
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

  private void answer(ChannelHandlerContext ctx, HttpRequest request) {
    answered = true;
    var cause = request.decoderResult().cause();
    ReferenceCountUtil.release(request);
    var reply = reply(cause);
    log.debug(
        "malformed request from {}: {} {}",
        ctx.channel().remoteAddress(),
        reply.status(),
        reply.message());
    byte[] json = reply.toJson("").getBytes(StandardCharsets.UTF_8);
    var response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.status()),
            Unpooled.wrappedBuffer(json));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** The reply to a request whose line or headers failed to decode. */
  static ErrorReply reply(Throwable cause) {
    String detail = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
    if (cause instanceof TooLongHttpLineException) {
      return new ErrorReply(414, "the request line is too long" + detail, null);
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new ErrorReply(431, "the request headers are too large" + detail, null);
    }
    return new ErrorReply(400, "malformed HTTP request" + detail, null);
  }
}
