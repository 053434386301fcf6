package io.stoke.state;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The state service: key-value state and coordination for functions, kept in Redis. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StateApplication {

  public static void main(String[] args) {
    SpringApplication.run(StateApplication.class, args);
  }
}
