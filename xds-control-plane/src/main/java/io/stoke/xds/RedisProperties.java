package io.stoke.xds;

import java.net.URI;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the registry lives, under the prefix {@code stoke}.
 *
 * @param redisUrl Redis holding the function catalog and the instance registry
 */
@ConfigurationProperties("stoke")
public record RedisProperties(@DefaultValue("redis://127.0.0.1:6379") URI redisUrl) {

  public RedisProperties {
    Objects.requireNonNull(redisUrl, "stoke.redis-url");
  }
}
