package io.stoke.gateway.connection;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.stoke.gateway.ErrorReply;
import java.nio.charset.StandardCharsets;

/**
 * Writes the gateway's JSON error straight to a connection's HTTP codec, with {@code Connection:
 * close}, and closes the connection once it is written: the answer of the connection-level guards,
 * which act before or beside Reactor Netty's request handling.
 */
public final class ClosingReply {

  private ClosingReply() {}

  /** Writes {@code reply} from {@code ctx} (a handler after the codec), then closes. */
  public static void send(ChannelHandlerContext ctx, ErrorReply reply) {
    write(ctx, reply).addListener(ChannelFutureListener.CLOSE);
  }

  /** Writes {@code reply} from {@code ctx} (a handler after the codec); the caller closes. */
  public static ChannelFuture write(ChannelHandlerContext ctx, ErrorReply reply) {
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
    return ctx.writeAndFlush(response);
  }
}
