package io.stoke.gateway.cache;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's result-cache settings under {@code stoke.cache.*}.
 *
 * @param maxBytes memory all functions' cached answers may take together; least recently used
 *     answers of the function holding most go first
 * @param maxAnswerSize answers (body and headers) larger than this are not stored
 */
public record CacheSettings(
    @DefaultValue("64MB") DataSize maxBytes, @DefaultValue("1MB") DataSize maxAnswerSize) {

  /** Far more than a gateway's heap: a larger budget would be no budget. */
  static final DataSize MAX_BYTES = DataSize.ofGigabytes(64);

  public CacheSettings {
    inRange("stoke.cache.max-bytes", maxBytes, DataSize.ofBytes(0), MAX_BYTES);
    inRange("stoke.cache.max-answer-size", maxAnswerSize, DataSize.ofBytes(1), maxBytes);
  }

  private static void inRange(String key, DataSize value, DataSize min, DataSize max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          key + " = " + value + ", must be in [" + min + ", " + max + "]");
    }
  }
}
