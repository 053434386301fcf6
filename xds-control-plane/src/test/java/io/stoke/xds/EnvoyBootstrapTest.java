package io.stoke.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.metrics.v3.StatsdSink;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.stoke.common.contract.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Parses the shipped {@code envoy/envoy.yaml} into Envoy's own {@code Bootstrap} proto, strictly
 * (unknown fields fail), since no Envoy binary can run here to load it.
 */
class EnvoyBootstrapTest {

  private static Bootstrap bootstrap;

  @BeforeAll
  static void parse() throws Exception {
    Map<String, Object> yaml = new Yaml().load(Files.readString(Path.of("../envoy/envoy.yaml")));
    var registry =
        JsonFormat.TypeRegistry.newBuilder()
            .add(StatsdSink.getDescriptor())
            .add(HttpProtocolOptions.getDescriptor())
            .add(HttpConnectionManager.getDescriptor())
            .add(Router.getDescriptor())
            .build();
    var builder = Bootstrap.newBuilder();
    JsonFormat.parser().usingTypeRegistry(registry).merge(Json.write(yaml), builder);
    bootstrap = builder.build();
  }

  @Test
  void identifiesTheNode() {
    assertThat(bootstrap.getNode().getId()).isNotEmpty();
    assertThat(bootstrap.getNode().getCluster()).isNotEmpty();
  }

  @Test
  void getsListenersAndClustersOverAdsV3FromTheXdsCluster() {
    var ads = bootstrap.getDynamicResources().getAdsConfig();
    assertThat(ads.getApiType()).isEqualTo(ApiConfigSource.ApiType.GRPC);
    assertThat(ads.getTransportApiVersion()).isEqualTo(ApiVersion.V3);
    assertThat(ads.getGrpcServices(0).getEnvoyGrpc().getClusterName()).isEqualTo("xds_cluster");
    assertThat(bootstrap.getDynamicResources().getLdsConfig().hasAds()).isTrue();
    assertThat(bootstrap.getDynamicResources().getCdsConfig().hasAds()).isTrue();
  }

  @Test
  void reachesTheControlPlaneOverHttp2OnPort18000() throws Exception {
    Cluster xds = bootstrap.getStaticResources().getClusters(0);
    assertThat(xds.getName()).isEqualTo("xds_cluster");
    SocketAddress address =
        xds.getLoadAssignment()
            .getEndpoints(0)
            .getLbEndpoints(0)
            .getEndpoint()
            .getAddress()
            .getSocketAddress();
    assertThat(address.getAddress()).isEqualTo("xds-control-plane");
    assertThat(address.getPortValue()).isEqualTo(18000);
    var options =
        xds.getTypedExtensionProtocolOptionsOrThrow(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
            .unpack(HttpProtocolOptions.class);
    assertThat(options.getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
  }

  @Test
  void flushesPlainStatsdToTheStatsListenerEverySecond() throws Exception {
    var sink = bootstrap.getStatsSinks(0);
    assertThat(sink.getName()).isEqualTo("envoy.stat_sinks.statsd");
    var statsd = sink.getTypedConfig().unpack(StatsdSink.class);
    var address = statsd.getAddress().getSocketAddress();
    assertThat(address.getProtocol()).isEqualTo(SocketAddress.Protocol.UDP);
    assertThat(address.getPortValue()).isEqualTo(8125);
    assertThat(com.google.common.net.InetAddresses.isInetAddress(address.getAddress()))
        .as("Envoy does not resolve statsd sink host names")
        .isTrue();
    assertThat(bootstrap.getStatsFlushInterval().getSeconds()).isEqualTo(1);
  }

  @Test
  void servesTheAdminInterfaceOnPort9901OnLoopbackOnly() {
    var admin = bootstrap.getAdmin().getAddress().getSocketAddress();
    assertThat(admin.getAddress()).isEqualTo("127.0.0.1");
    assertThat(admin.getPortValue()).isEqualTo(9901);
  }
}
