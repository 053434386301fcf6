package io.stoke.gateway.ui;

import io.stoke.common.contract.ActivationRecord;
import io.stoke.common.contract.Json;
import io.stoke.common.contract.RedisKeys;
import io.stoke.common.definition.ExecutionMode;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.gateway.FunctionGate;
import io.stoke.gateway.FunctionTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * What each live page shows, as JSON-ready maps, filtered to what the viewer may see: users see
 * only their own functions, under the names they gave them.
 */
final class DashboardViews {

  /** Activations shown on a function page. */
  static final int ACTIVATIONS = 20;

  private final FunctionTable table;
  private final Sampler sampler;
  private final EventLog events;
  private final UnifiedJedis redis;

  DashboardViews(FunctionTable table, Sampler sampler, EventLog events, UnifiedJedis redis) {
    this.table = table;
    this.sampler = sampler;
    this.events = events;
    this.redis = redis;
  }

  /** The functions page: one row per visible function, by name. */
  Map<String, Object> functions(Viewer viewer, long now) {
    var rows = new ArrayList<Map<String, Object>>();
    for (FunctionGate gate : table.all()) {
      var shown = viewer.visibleName(gate.name());
      if (shown != null) {
        rows.add(row(shown, gate));
      }
    }
    rows.sort(Comparator.comparing(row -> (String) row.get("name")));
    return Map.of("at", now, "viewer", describe(viewer), "functions", rows);
  }

  /**
   * One function's page: its row, its series, its definition, events and recent activations; null
   * when the viewer has no such function. Reads Redis (activations): call it off the event loop.
   */
  Map<String, Object> function(Viewer viewer, String shown, long now) {
    var gate = table.gate(viewer.internalName(shown));
    if (gate == null || viewer.visibleName(gate.name()) == null) {
      return null;
    }
    var series = sampler.series(gate.name());
    var view = new LinkedHashMap<String, Object>();
    view.put("at", now);
    view.put("viewer", describe(viewer));
    view.put("function", row(shown, gate));
    view.put("series", series == null ? List.of() : series.samples());
    view.put("definition", definition(gate.definition()));
    view.put("events", events.recent(gate.name()));
    view.put("activations", activations(gate.name()));
    return view;
  }

  private Map<String, Object> row(String shown, FunctionGate gate) {
    var definition = gate.definition();
    var series = sampler.series(gate.name());
    var latest = series == null ? null : series.latest();
    var failure = events.failure(gate.name());
    var instances = Sampler.instancesOf(gate);
    var row = new LinkedHashMap<String, Object>();
    row.put("name", shown);
    row.put(
        "runtime",
        definition.runtime() == null
            ? "image"
            : definition.runtime().name().toLowerCase(java.util.Locale.ROOT));
    row.put("mode", definition.mode().name().toLowerCase(java.util.Locale.ROOT));
    row.put("version", definition.version());
    row.put("state", state(instances, failure != null));
    row.put("error", failure == null ? null : failure.reason());
    row.put("instances", instances);
    row.put("pending", gate.pending());
    row.put("rps", latest == null ? 0 : latest.rps());
    row.put("p50Ms", latest == null ? null : latest.p50Ms());
    row.put("p99Ms", latest == null ? null : latest.p99Ms());
    row.put("requests", latest == null ? 0 : latest.requests());
    row.put("coldStarts", latest == null ? 0 : latest.coldStarts());
    row.put("errors", latest == null ? 0 : latest.errors());
    return row;
  }

  /**
   * READY when an instance serves, STARTING (building or booting) when one is on its way, FAILED
   * when the last cold start failed, else IDLE (scaled to zero).
   */
  static String state(Map<String, Integer> instances, boolean failed) {
    if (instances.getOrDefault("ready", 0) > 0) {
      return "READY";
    }
    if (failed) {
      return "FAILED";
    }
    if (instances.getOrDefault("starting", 0) > 0) {
      return "STARTING";
    }
    return "IDLE";
  }

  private static Map<String, Object> definition(FunctionDefinition d) {
    var view = new LinkedHashMap<String, Object>();
    view.put(
        "runtime",
        d.runtime() == null ? null : d.runtime().name().toLowerCase(java.util.Locale.ROOT));
    view.put("image", d.image());
    view.put("handler", d.handler());
    view.put("mode", d.mode().name().toLowerCase(java.util.Locale.ROOT));
    view.put("timeout", d.timeout().toString());
    view.put("auth", d.auth().name().toLowerCase(java.util.Locale.ROOT));
    view.put("scaling", d.scaling());
    view.put("resources", d.resources());
    view.put("environmentKeys", d.environment().keySet().stream().sorted().toList());
    return view;
  }

  private List<ActivationRecord> activations(String function) {
    var gate = table.gate(function);
    if (gate == null || gate.definition().mode() != ExecutionMode.EXEC) {
      return List.of();
    }
    var records = new ArrayList<ActivationRecord>();
    for (var id : redis.lrange(RedisKeys.functionActivations(function), 0, ACTIVATIONS - 1)) {
      var json = redis.get(RedisKeys.activation(id));
      if (json != null) {
        records.add(Json.read(json, ActivationRecord.class));
      }
    }
    return records;
  }

  private static Map<String, String> describe(Viewer viewer) {
    return switch (viewer) {
      case Viewer.Operator operator -> Map.of("role", "operator");
      case Viewer.User user -> Map.of("role", "user", "user", user.user());
    };
  }
}
