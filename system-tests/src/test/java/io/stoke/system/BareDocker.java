package io.stoke.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** The baseline every start-up figure is divided by: {@code docker run} → first HTTP 200. */
final class BareDocker {

  private BareDocker() {}

  /** Nanoseconds from invoking {@code docker run -d} to the first 200 from the container. */
  static long runToFirst200(String image) {
    var client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
    long start = System.nanoTime();
    var id =
        Docker.run(
                List.of(
                    "docker",
                    "run",
                    "-d",
                    // Not io.stoke.managed: the platform running beside it would remove it as an
                    // orphan.
                    "--label",
                    "io.stoke.benchmark=bare",
                    "-p",
                    "127.0.0.1::8080",
                    image),
                60)
            .strip();
    try {
      var port =
          Docker.run(List.of("docker", "port", id, "8080/tcp"), 30)
              .lines()
              .findFirst()
              .orElseThrow()
              .strip();
      var uri = URI.create("http://" + port + "/_/ready");
      while (true) {
        try {
          var response =
              client.send(
                  HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() == 200) {
            return System.nanoTime() - start;
          }
        } catch (Exception notYet) {
          LockSupport.parkNanos(1_000_000);
        }
        if (System.nanoTime() - start > Duration.ofSeconds(60).toNanos()) {
          throw new IllegalStateException(image + " did not answer within 60 s");
        }
      }
    } finally {
      Docker.run(List.of("docker", "rm", "-f", id), 60);
    }
  }
}
