package io.stoke.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stoke.common.testing.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway jar serving HTTPS with the certificate {@code scripts/tls.sh} (what {@code ./stoke up
 * --tls} runs) generates: a client trusting that certificate gets through; plain HTTP on the same
 * port gets no answer; a client trusting only the JDK's CAs fails the handshake.
 */
class GatewayTlsIT {

  @TempDir static Path dir;
  static RedisServer redis;
  static Process gateway;
  static int port;
  static String fingerprint;
  static Path log;

  @BeforeAll
  static void start() throws Exception {
    fingerprint =
        Docker.run(
                List.of(
                    "bash",
                    Platform.ROOT.resolve("scripts/tls.sh").toString(),
                    dir.resolve("tls").toString()),
                120)
            .strip();
    redis = RedisServer.start();
    port = RedisServer.freePort();
    log = dir.resolve("gateway.log");
    var builder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                Platform.ROOT.resolve("gateway/target/stoke-gateway.jar").toString(),
                "--stoke.redis-url=" + redis.url(),
                "--server.port=" + port,
                "--server.ssl.key-store=file:" + dir.resolve("tls/gateway.p12"),
                "--server.ssl.key-store-type=PKCS12")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // The password travels in the environment, as ./stoke up passes it, not on the command line.
    builder
        .environment()
        .put("SERVER_SSL_KEYSTOREPASSWORD", Files.readString(dir.resolve("tls/password")).strip());
    gateway = builder.start();
    var client = trustingClient();
    await("gateway serving HTTPS (log: " + log + ")")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!gateway.isAlive()) {
                throw new IllegalStateException("gateway exited: " + Files.readString(log));
              }
              try {
                return health(client, "https").statusCode() == 200;
              } catch (IOException notYet) {
                return false;
              }
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.destroy();
      if (!gateway.waitFor(15, TimeUnit.SECONDS)) {
        gateway.destroyForcibly();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  static HttpClient trustingClient() throws Exception {
    var trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream pem = Files.newInputStream(dir.resolve("tls/gateway.crt"))) {
      trusted.setCertificateEntry(
          "stoke", CertificateFactory.getInstance("X.509").generateCertificate(pem));
    }
    var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    var tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpResponse<String> health(HttpClient client, String scheme) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/actuator/health"))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anHttpsClientTrustingTheGeneratedCertificateGetsThrough() throws Exception {
    var client = trustingClient();

    var response = health(client, "https");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("UP");
    var certificate =
        (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    var digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    assertThat(HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest))
        .isEqualTo(fingerprint.toUpperCase(Locale.ROOT));
    // Functions are served on the same port: an unknown one gets the gateway's JSON 404.
    var function =
        client.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/nothing")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(function.statusCode()).isEqualTo(404);
  }

  @Test
  void plainHttpOnTheTlsPortGetsNoAnswer() {
    var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    assertThatThrownBy(() -> health(client, "http")).isInstanceOf(IOException.class);
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
    var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    assertThatThrownBy(() -> health(client, "https")).isInstanceOf(SSLHandshakeException.class);
  }
}
