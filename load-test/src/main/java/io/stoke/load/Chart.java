package io.stoke.load;

import java.util.List;
import java.util.Locale;

/** Line charts as inline SVG: no script, no external file, so a report is one HTML file. */
final class Chart {

  static final int WIDTH = 900;
  static final int HEIGHT = 220;
  static final int LEFT = 56;
  static final int BOTTOM = 28;

  /** Room above the plot for the unit, so it never sits on the top tick's value. */
  static final int TOP = 24;

  private Chart() {}

  /**
   * Series of (x, y) points drawn as step-free polylines over x in [0, maxX]; {@code counts} puts
   * the y ticks on whole numbers, for things that come in units (requests, instances).
   */
  static String svg(
      List<List<double[]>> series, List<String> colors, int maxX, String unit, boolean counts) {
    double maxY = 1;
    for (var points : series) {
      for (var p : points) {
        maxY = Math.max(maxY, p[1]);
      }
    }
    maxY = counts ? wholeCeiling(maxY) : niceCeiling(maxY);
    var svg = new StringBuilder();
    svg.append("<svg xmlns='http://www.w3.org/2000/svg' width='")
        .append(WIDTH)
        .append("' height='")
        .append(HEIGHT)
        .append("' style='background:#fff;border:1px solid #ddd'>");
    for (int i = 0; i <= 4; i++) {
      double v = maxY * i / 4;
      double y = y(v, maxY);
      svg.append(line(LEFT, y, WIDTH - 10, y, "#eee"))
          .append(text(LEFT - 6, y + 4, label(v), "end"));
    }
    int stepX = Math.max(1, maxX / 10);
    for (int s = 0; s <= maxX; s += stepX) {
      double x = x(s, maxX);
      svg.append(line(x, HEIGHT - BOTTOM, x, HEIGHT - BOTTOM + 4, "#999"))
          .append(text(x, HEIGHT - 8, s + "s", "middle"));
    }
    svg.append(text(4, TOP - 10, unit, "start"));
    for (int i = 0; i < series.size(); i++) {
      var points = series.get(i);
      if (points.isEmpty()) {
        continue;
      }
      svg.append("<polyline fill='none' stroke-width='2' stroke='")
          .append(colors.get(i))
          .append("' points='");
      for (var p : points) {
        svg.append(fmt(x(p[0], maxX))).append(',').append(fmt(y(p[1], maxY))).append(' ');
      }
      svg.append("'/>");
    }
    return svg.append("</svg>").toString();
  }

  private static double x(double value, int maxX) {
    return LEFT + (WIDTH - LEFT - 10) * value / Math.max(1, maxX);
  }

  private static double y(double value, double maxY) {
    return HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * value / maxY;
  }

  /** A top of 4 whole steps of 1, 2 or 5 times a power of ten: every tick is an integer. */
  static double wholeCeiling(double value) {
    double quarter = value / 4;
    if (quarter <= 1) {
      return 4;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(quarter)));
    for (double step : new double[] {1, 2, 5}) {
      if (step * magnitude >= quarter) {
        return 4 * step * magnitude;
      }
    }
    return 40 * magnitude;
  }

  static double niceCeiling(double value) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= value) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String line(double x1, double y1, double x2, double y2, String color) {
    return "<line x1='"
        + fmt(x1)
        + "' y1='"
        + fmt(y1)
        + "' x2='"
        + fmt(x2)
        + "' y2='"
        + fmt(y2)
        + "' stroke='"
        + color
        + "'/>";
  }

  private static String text(double x, double y, String content, String anchor) {
    return "<text x='"
        + fmt(x)
        + "' y='"
        + fmt(y)
        + "' font-size='11' fill='#555' text-anchor='"
        + anchor
        + "'>"
        + content
        + "</text>";
  }

  private static String label(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : fmt(v);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
