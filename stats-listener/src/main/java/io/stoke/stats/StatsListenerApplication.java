package io.stoke.stats;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The stats listener: a StatsD server that turns Envoy and gateway stats into load in Redis. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StatsListenerApplication {

  public static void main(String[] args) {
    SpringApplication.run(StatsListenerApplication.class, args);
  }
}
