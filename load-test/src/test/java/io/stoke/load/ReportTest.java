package io.stoke.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  private static final ZonedDateTime STARTED =
      ZonedDateTime.of(2026, 12, 4, 17, 40, 12, 0, ZoneId.of("Etc/UTC"));

  private final Recorder recorder = new Recorder();
  private final InstanceSampler instances = new InstanceSampler(Optional.empty(), "hello");

  private Report report(Path out) {
    var options =
        LoadOptions.parse(
            new String[] {"hello", "--redis-url", "none", "--duration", "3s", "--out", "x"},
            out.toString());
    return new Report(options, recorder, instances, STARTED, Duration.ofSeconds(3));
  }

  private void record(int second, int status, int times) {
    for (int i = 0; i < times; i++) {
      recorder.record(second, new Recorder.Outcome(status, "", false, 2_000));
    }
  }

  @Test
  void theCsvHasTheRecordedCountsAndFillsUnsampledSecondsWithTheLastKnownInstances(
      @TempDir Path out) throws Exception {
    record(0, 200, 5);
    record(1, 200, 7);
    record(1, 503, 2);
    record(2, 404, 3);
    instances.record(0, new InstanceSampler.Counts(0, 1, 0));
    instances.record(2, new InstanceSampler.Counts(2, 0, 0));

    report(out).write(out);

    var rows = Files.readAllLines(out.resolve("data.csv"));
    assertThat(rows.get(0))
        .isEqualTo("second,ok,failed,cold_starts,p50_ms,p99_ms,ready,starting,draining");
    assertThat(rows.get(1)).startsWith("0,5,0,0,").endsWith(",0,1,0");
    assertThat(rows.get(2)).startsWith("1,7,2,0,").endsWith(",0,1,0");
    assertThat(rows.get(3)).startsWith("2,0,3,0,").endsWith(",2,0,0");
    assertThat(rows.get(4)).startsWith("3,0,0,0,").endsWith(",2,0,0");
    assertThat(rows.subList(1, rows.size()))
        .allSatisfy(
            row -> assertThat(List.of(row.split(",", -1)).subList(6, 9)).doesNotContain(""));
  }

  @Test
  void theHtmlSummaryMatchesTheRecordedData(@TempDir Path out) throws Exception {
    record(0, 200, 5);
    record(2, 404, 3);
    instances.record(0, new InstanceSampler.Counts(3, 0, 0));

    var html = Files.readString(report(out).write(out));

    assertThat(html)
        .contains("requests 8, mean rate 2.7 req/s")
        .contains("{200=5, 404=3}")
        .contains("failed   3")
        .contains("load for 3 s, observed 3 s")
        .contains("instances: peak 3");
  }

  @Test
  void theStartIsWrittenForPeopleNotAsARawZoneId(@TempDir Path out) {
    var html = report(out).html();

    assertThat(html).contains("Started 2026-12-04 17:40:12 UTC").doesNotContain("[Etc/UTC]");
  }

  @Test
  void instanceTicksAreWholeNumbers(@TempDir Path out) {
    instances.record(0, new InstanceSampler.Counts(1, 0, 0));
    instances.record(1, new InstanceSampler.Counts(3, 0, 0));

    var html = report(out).html();
    var charts = html.split("<svg");
    var instancesChart = charts[charts.length - 1];

    assertThat(tickLabels(instancesChart)).containsExactly("0", "1", "2", "3", "4");
  }

  @Test
  void countsChartsPickWholeTicksAtAnyScale() {
    for (double max : new double[] {1, 3, 5, 7, 13, 230, 6559}) {
      var svg =
          Chart.svg(List.of(List.of(new double[] {0, max})), List.of("#000"), 10, "req/s", true);
      assertThat(tickLabels(svg)).allSatisfy(label -> assertThat(label).matches("\\d+"));
    }
  }

  @Test
  void theUnitSitsAboveTheTopTickValueNotOnIt() {
    var svg =
        Chart.svg(List.of(List.of(new double[] {0, 3})), List.of("#000"), 10, "instances", true);

    double unitBaseline = textBaseline(svg, "instances");
    double topTickBaseline = textBaseline(svg, "4");
    int fontSize = 11;
    assertThat(unitBaseline).isLessThanOrEqualTo(topTickBaseline - fontSize - 2);
  }

  /** The y-axis labels: text anchored at the end, left of the plot. */
  private static List<String> tickLabels(String svg) {
    var labels = new ArrayList<String>();
    var m = Pattern.compile("<text[^>]*text-anchor='end'>([^<]*)</text>").matcher(svg);
    while (m.find()) {
      labels.add(m.group(1));
    }
    return labels;
  }

  private static double textBaseline(String svg, String content) {
    var m =
        Pattern.compile("<text x='[^']*' y='([^']*)'[^>]*>" + Pattern.quote(content) + "</text>")
            .matcher(svg);
    assertThat(m.find()).as("a text '%s' in the chart", content).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
