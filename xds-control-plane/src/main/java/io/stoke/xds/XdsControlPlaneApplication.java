package io.stoke.xds;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The xDS control plane: translates the registry into Envoy snapshots and serves them over ADS. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class XdsControlPlaneApplication {

  public static void main(String[] args) {
    SpringApplication.run(XdsControlPlaneApplication.class, args);
  }
}
