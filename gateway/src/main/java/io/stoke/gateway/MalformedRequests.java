package io.stoke.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.stoke.gateway.connection.ClosingReply;
import io.stoke.gateway.connection.RequestFraming;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;

/**
 * Answers a request the server could not decode (a malformed request line, header or chunked body,
 * a request line or header block over the limits) or whose framing {@link RequestFraming} refuses
 * (an HTTP version other than 1.x, a doubtful {@code Transfer-Encoding}) with the gateway's JSON
 * error — 400, 414/431 for what is too long, 501 for an unknown transfer coding, 505 for the
 * version — and closes the connection, with a body that says what was wrong instead of an empty
 * one. Sits between the server's HTTP codec and Reactor Netty's request handling on each HTTP/1.1
 * connection (plain or TLS; not on HTTP/2 streams, which the gateway does not enable).
 *
 * <p>A refused request pipelined behind one still being served is answered after it, in order; a
 * malformed body is answered at once unless its response has started (then Reactor Netty ends the
 * exchange). Nothing after a refused request is read. Everything decoded fine passes untouched.
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

  /** Whether a final response has started and its last part is not written yet. */
  private boolean responding;

  /** Whether this handler refused a request: nothing more is read, the connection is closing. */
  private boolean answered;

  /** The refusal of a request that came in behind others, written once they are answered. */
  private ErrorReply deferred;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answered) {
      // Nothing after a refused request is read as a request: the decoder may have framed it
      // differently from the instance behind (request smuggling), or not at all.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      var refusal = refusal(request);
      if (refusal != null) {
        ReferenceCountUtil.release(request);
        refuse(ctx, refusal);
        return;
      }
      owed++;
    } else if (msg instanceof HttpContent content
        && content.decoderResult().isFailure()
        && owed == 1
        && !responding) {
      // A malformed body (bad chunk framing) of the request being served, not answered yet: it
      // gets the JSON error now; the exchange in progress ends with the connection.
      var cause = content.decoderResult().cause();
      ReferenceCountUtil.release(content);
      answered = true;
      answer(ctx, new ErrorReply(400, "malformed request body" + detail(cause), null));
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** Why {@code request} cannot be served, or null when it can. */
  private static ErrorReply refusal(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return reply(request.decoderResult().cause());
    }
    return RequestFraming.check(request).orElse(null);
  }

  /** Answers now when nothing is owed, else once the requests ahead are answered. */
  private void refuse(ChannelHandlerContext ctx, ErrorReply reply) {
    answered = true;
    if (owed == 0) {
      answer(ctx, reply);
    } else {
      deferred = reply;
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      responding = !informational;
    }
    boolean finished = msg instanceof LastHttpContent && !informational && owed > 0;
    if (finished) {
      owed--;
      responding = false;
    }
    ctx.write(msg, promise);
    if (finished && owed == 0 && deferred != null) {
      var reply = deferred;
      deferred = null;
      answer(ctx, reply);
    }
  }

  private void answer(ChannelHandlerContext ctx, ErrorReply reply) {
    log.debug(
        "malformed request from {}: {} {}",
        ctx.channel().remoteAddress(),
        reply.status(),
        reply.message());
    ClosingReply.send(ctx, reply);
  }

  private static String detail(Throwable cause) {
    return cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
  }

  /** The reply to a request whose line or headers failed to decode. */
  static ErrorReply reply(Throwable cause) {
    String detail = detail(cause);
    if (cause instanceof TooLongHttpLineException) {
      return new ErrorReply(414, "the request line is too long" + detail, null);
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new ErrorReply(431, "the request headers are too large" + detail, null);
    }
    return new ErrorReply(400, "malformed HTTP request" + detail, null);
  }
}
