package io.stoke.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;

/**
 * Answers a request the server could not decode (a malformed request line or header, conflicting
 * {@code Content-Length}/{@code Transfer-Encoding}, a bad chunk, a line or header block over the
 * limits) with the gateway's JSON error — 400, or 414/431 for what is too long — and closes the
 * connection, as the server would, but with a body that says what was wrong instead of an empty
 * one. Sits between the server's HTTP codec and Reactor Netty's request handling; everything
 * decoded fine passes untouched.
 */
final class MalformedRequests extends ChannelInboundHandlerAdapter {

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

  /** Per connection (the handler is not shared): whether the failure was already answered. */
  private boolean answered;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answered) {
      // The decoder discards what follows a failure; anything still in flight is dropped.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
      answered = true;
      var cause = object.decoderResult().cause();
      ReferenceCountUtil.release(msg);
      var reply = reply(cause);
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
      return;
    }
    ctx.fireChannelRead(msg);
  }

  static ErrorReply reply(Throwable cause) {
    String detail = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
    if (cause instanceof TooLongHttpLineException) {
      return new ErrorReply(414, "the request line is too long" + detail, null);
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new ErrorReply(431, "the request headers are too large" + detail, null);
    }
    if (cause instanceof TooLongFrameException) {
      return new ErrorReply(400, "a part of the request is too long" + detail, null);
    }
    return new ErrorReply(400, "malformed HTTP request" + detail, null);
  }
}
