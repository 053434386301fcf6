package io.stoke.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NavigableMap;
import java.util.TreeMap;

/** The end-of-run summary as text, CSV and a self-contained HTML page with SVG charts. */
final class Report {

  /** How the run's start is shown: a person reads it, so no ISO offset or bracketed zone id. */
  static final DateTimeFormatter STARTED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

  private final LoadOptions options;
  private final Recorder recorder;
  private final InstanceSampler instances;
  private final ZonedDateTime startedAt;
  private final Duration elapsed;
  private final int lastSecond;

  Report(
      LoadOptions options,
      Recorder recorder,
      InstanceSampler instances,
      ZonedDateTime startedAt,
      Duration elapsed) {
    this.options = options;
    this.recorder = recorder;
    this.instances = instances;
    this.startedAt = startedAt;
    this.elapsed = elapsed;
    this.lastSecond = (int) Math.max(1, elapsed.toSeconds());
  }

  /**
   * The instance counts of every second of the run. A second without a sample of its own (the
   * registry was slow or unreachable just then) shows the last count known before it; seconds
   * before the first sample have none.
   */
  NavigableMap<Integer, InstanceSampler.Counts> instancesBySecond() {
    var sampled = instances.bySecond();
    var filled = new TreeMap<Integer, InstanceSampler.Counts>();
    for (int s = 0; s <= lastSecond; s++) {
      var known = sampled.floorEntry(s);
      if (known != null) {
        filled.put(s, known.getValue());
      }
    }
    return filled;
  }

  static String ms(long micros) {
    return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }

  String text() {
    var h = recorder.total();
    long count = h.getTotalCount();
    double loadSeconds = options.profile().duration().toMillis() / 1000.0;
    var out = new StringBuilder();
    out.append("Stoke load test: ")
        .append(options.method())
        .append(' ')
        .append(options.target())
        .append('\n');
    out.append(
        String.format(
            Locale.ROOT,
            "  profile %s, %s, %s%n",
            options.profile().shape().name().toLowerCase(Locale.ROOT),
            options.openModel()
                ? "open model, peak " + options.rate().orElseThrow() + " req/s"
                : "closed model, peak " + options.concurrency() + " clients",
            "load for "
                + options.profile().duration().toSeconds()
                + " s, observed "
                + elapsed.toSeconds()
                + " s"));
    out.append(
        String.format(
            Locale.ROOT, "  requests %d, mean rate %.1f req/s%n", count, count / loadSeconds));
    if (count > 0) {
      out.append("  latency  p50 ")
          .append(ms(h.getValueAtPercentile(50)))
          .append("  p90 ")
          .append(ms(h.getValueAtPercentile(90)))
          .append("  p99 ")
          .append(ms(h.getValueAtPercentile(99)))
          .append("  max ")
          .append(ms(h.getMaxValue()))
          .append('\n');
    }
    out.append("  status   ").append(recorder.statuses()).append('\n');
    out.append("  failed   ").append(recorder.failures()).append('\n');
    out.append("  cold starts (X-Stoke-Cold-Start: true) ")
        .append(recorder.coldStarts())
        .append('\n');
    var samples = instances.bySecond();
    if (samples.isEmpty()) {
      out.append("  instances: not sampled").append(problemSuffix()).append('\n');
    } else {
      int peak = samples.values().stream().mapToInt(InstanceSampler.Counts::total).max().orElse(0);
      out.append("  instances: peak ")
          .append(peak)
          .append(", at the end ")
          .append(samples.lastEntry().getValue())
          .append('\n');
    }
    return out.toString();
  }

  private String problemSuffix() {
    return instances.problem().isEmpty() ? "" : " (" + instances.problem() + ")";
  }

  String csv() {
    var out =
        new StringBuilder("second,ok,failed,cold_starts,p50_ms,p99_ms,ready,starting,draining\n");
    var filled = instancesBySecond();
    for (int s = 0; s <= lastSecond; s++) {
      var sec = recorder.second(s);
      var counts = filled.get(s);
      out.append(s)
          .append(',')
          .append(sec == null ? 0 : sec.ok.sum())
          .append(',')
          .append(sec == null ? 0 : sec.failed.sum())
          .append(',')
          .append(sec == null ? 0 : sec.coldStarts.sum())
          .append(',')
          .append(sec == null ? "" : fmt(sec.latency.getValueAtPercentile(50) / 1000.0))
          .append(',')
          .append(sec == null ? "" : fmt(sec.latency.getValueAtPercentile(99) / 1000.0))
          .append(',')
          .append(counts == null ? "" : counts.ready())
          .append(',')
          .append(counts == null ? "" : counts.starting())
          .append(',')
          .append(counts == null ? "" : counts.draining())
          .append('\n');
    }
    return out.toString();
  }

  String html() {
    var ok = new ArrayList<double[]>();
    var failed = new ArrayList<double[]>();
    var p50 = new ArrayList<double[]>();
    var p99 = new ArrayList<double[]>();
    for (int s = 0; s <= lastSecond; s++) {
      var sec = recorder.second(s);
      ok.add(new double[] {s, sec == null ? 0 : sec.ok.sum()});
      failed.add(new double[] {s, sec == null ? 0 : sec.failed.sum()});
      if (sec != null && sec.latency.getTotalCount() > 0) {
        p50.add(new double[] {s, sec.latency.getValueAtPercentile(50) / 1000.0});
        p99.add(new double[] {s, sec.latency.getValueAtPercentile(99) / 1000.0});
      }
    }
    var ready = new ArrayList<double[]>();
    var total = new ArrayList<double[]>();
    instancesBySecond()
        .forEach(
            (s, c) -> {
              ready.add(new double[] {s, c.ready()});
              total.add(new double[] {s, c.total()});
            });
    var page = new StringBuilder();
    page.append("<!doctype html><html><head><meta charset='utf-8'><title>Stoke load: ")
        .append(esc(options.function()))
        .append(
            "</title><style>body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:980px}")
        .append(
            "pre{background:#f5f5f5;padding:12px;border-radius:6px}h2{font-size:16px;margin:24px 0 4px}")
        .append(".legend span{margin-right:16px}</style></head><body>")
        .append("<h1>Stoke load test — ")
        .append(esc(options.function()))
        .append("</h1><p>")
        .append("Started ")
        .append(esc(STARTED.format(startedAt)))
        .append("</p><pre>")
        .append(esc(text()))
        .append("</pre>");
    page.append("<h2>Requests per second</h2>")
        .append(legend("#2e7d32", "answered", "#c62828", "failed"))
        .append(
            Chart.svg(
                List.of(ok, failed), List.of("#2e7d32", "#c62828"), lastSecond, "req/s", true));
    page.append("<h2>Latency per second (from intended send time)</h2>")
        .append(legend("#1565c0", "p50", "#ef6c00", "p99"))
        .append(
            Chart.svg(List.of(p50, p99), List.of("#1565c0", "#ef6c00"), lastSecond, "ms", false));
    page.append("<h2>Instances of ").append(esc(options.function())).append("</h2>");
    if (total.isEmpty()) {
      page.append("<p>Not sampled").append(esc(problemSuffix())).append(".</p>");
    } else {
      page.append(legend("#6a1b9a", "all (starting, ready, draining)", "#00838f", "ready"))
          .append(
              Chart.svg(
                  List.of(total, ready),
                  List.of("#6a1b9a", "#00838f"),
                  lastSecond,
                  "instances",
                  true));
    }
    page.append("<p>The load stopped at ")
        .append(options.profile().duration().toSeconds())
        .append(" s; the rest shows the platform scaling back.</p></body></html>\n");
    return page.toString();
  }

  private static String legend(String c1, String l1, String c2, String l2) {
    return "<div class='legend'><span style='color:"
        + c1
        + "'>&#9632; "
        + l1
        + "</span><span style='color:"
        + c2
        + "'>&#9632; "
        + l2
        + "</span></div>";
  }

  Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.txt"), text());
    Files.writeString(dir.resolve("data.csv"), csv());
    var html = dir.resolve("report.html");
    Files.writeString(html, html());
    return html;
  }

  static String fmt(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  static String esc(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
