package io.stoke.gateway.cache;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Copies an answer's body as it streams to the caller, up to a bound, and hands the whole body on
 * once it ended; an answer past the bound (or not storable at all) is only passed through.
 */
public final class AnswerRecorder {

  private final long limit;
  private final Consumer<byte[]> onComplete;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
  private boolean over;

  /**
   * @param limit the most bytes worth copying; negative copies nothing
   * @param onComplete receives the body once it ended within the limit
   */
  AnswerRecorder(long limit, Consumer<byte[]> onComplete) {
    this.limit = limit;
    this.onComplete = onComplete;
    this.over = limit < 0;
  }

  /** Copies {@code buffer}'s readable bytes, leaving the buffer as it was (it is sent next). */
  public void copy(ByteBuf buffer) {
    if (over) {
      return;
    }
    if (copy.size() + (long) buffer.readableBytes() > limit) {
      over = true;
      copy.reset();
      return;
    }
    copy.writeBytes(bytes(buffer));
  }

  /** The body ended: stores it unless it grew past the limit. */
  public void complete() {
    if (!over) {
      onComplete.accept(copy.toByteArray());
    }
  }

  /** The readable bytes of {@code buffer}, copied, without moving its reader index. */
  public static byte[] bytes(ByteBuf buffer) {
    var bytes = new byte[buffer.readableBytes()];
    buffer.getBytes(buffer.readerIndex(), bytes);
    return bytes;
  }
}
