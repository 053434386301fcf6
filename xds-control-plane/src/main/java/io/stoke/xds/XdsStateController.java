package io.stoke.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Read-only view of the snapshot being served, for people debugging routing. */
@RestController
class XdsStateController {

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer()
          .usingTypeRegistry(
              JsonFormat.TypeRegistry.newBuilder()
                  .add(HttpConnectionManager.getDescriptor())
                  .add(Router.getDescriptor())
                  .build());

  private final SnapshotPublisher publisher;
  private final DiscoveryStats stats;
  private final XdsProperties properties;
  private final AdsServer adsServer;
  private final JsonMapper mapper = JsonMapper.builder().build();

  XdsStateController(
      SnapshotPublisher publisher,
      DiscoveryStats stats,
      XdsProperties properties,
      AdsServer adsServer) {
    this.publisher = publisher;
    this.stats = stats;
    this.properties = properties;
    this.adsServer = adsServer;
  }

  @GetMapping(
      path = {"/_/xds", "/api/xds"},
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> state() {
    var root = mapper.createObjectNode();
    root.put("group", properties.group());
    root.put("publishedSnapshots", publisher.publishedCount());
    var ads = root.putObject("ads");
    ads.put("port", adsServer.port());
    ads.put("openStreams", stats.openStreams());
    ads.put("responses", stats.responses());
    ads.put("nacks", stats.nacks());
    stats.lastNack().ifPresent(nack -> ads.set("lastNack", mapper.valueToTree(nack)));
    publisher.current().ifPresent(state -> describe(state, root));
    return ResponseEntity.ok(mapper.writeValueAsString(root));
  }

  private void describe(XdsState state, ObjectNode root) {
    root.set("versions", mapper.valueToTree(state.versions()));
    root.set("problems", mapper.valueToTree(state.problems()));
    root.set("listeners", resources(state.listeners()));
    root.set("routes", resources(state.routes()));
    root.set("clusters", resources(state.clusters()));
    root.set("endpoints", resources(state.endpoints()));
  }

  private JsonNode resources(List<? extends Message> messages) {
    var array = mapper.createArrayNode();
    for (var message : messages) {
      try {
        array.add(mapper.readTree(PRINTER.print(message)));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot print " + message.getDescriptorForType(), e);
      }
    }
    return array;
  }
}
