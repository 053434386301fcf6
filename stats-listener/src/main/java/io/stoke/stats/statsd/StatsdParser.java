package io.stoke.stats.statsd;

import io.stoke.stats.statsd.ParseResult.Malformed;
import io.stoke.stats.statsd.ParseResult.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one StatsD line in any of the dialects Stoke receives: plain (Etsy, Envoy's {@code statsd}
 * sink), DogStatsD ({@code name:1|c|@0.5|#k:v,k2}), Telegraf ({@code name,k=v:1|c}) and Sysdig
 * ({@code name#k=v:1|c}).
 *
 * <p>Pure and allocation-light: no regular expressions, and a malformed line costs one shared
 * {@link Malformed} instance. Values follow a strict decimal grammar ({@code -?digits[.digits][e
 * [+-]digits]}), so {@code NaN}, {@code Infinity}, hex floats and Java suffixes such as {@code 3d}
 * are refused rather than silently accepted.
 */
public final class StatsdParser {

  static final Malformed EMPTY = new Malformed("empty line");
  static final Malformed NO_VALUE = new Malformed("missing ':' between name and value");
  static final Malformed NO_TYPE = new Malformed("missing '|' between value and type");
  static final Malformed BAD_NAME = new Malformed("empty name or control character in name");
  static final Malformed BAD_VALUE = new Malformed("value is not a finite decimal number");
  static final Malformed BAD_TYPE = new Malformed("unknown metric type");
  static final Malformed BAD_RATE = new Malformed("sample rate is not a number in (0, 1]");
  static final Malformed BAD_TAG = new Malformed("tag with an empty key");
  static final Malformed BAD_SECTION = new Malformed("unknown '|' section");

  private StatsdParser() {}

  public static ParseResult parse(CharSequence line) {
    String s = line.toString();
    int end = s.length();
    if (end == 0) {
      return EMPTY;
    }
    int colon = s.indexOf(':');
    if (colon < 0) {
      return NO_VALUE;
    }
    int pipe = s.indexOf('|', colon + 1);
    if (pipe < 0) {
      return NO_TYPE;
    }
    int typeEnd = s.indexOf('|', pipe + 1);
    if (typeEnd < 0) {
      typeEnd = end;
    }
    MetricType type = type(s, pipe + 1, typeEnd);
    if (type == null) {
      return BAD_TYPE;
    }
    double value = type == MetricType.SET ? 1 : number(s, colon + 1, pipe);
    if (Double.isNaN(value)) {
      return BAD_VALUE;
    }
    // Telegraf (,k=v) and Sysdig (#k=v) put their tags between the name and the value.
    int comma = indexOf(s, ',', 0, colon);
    int hash = indexOf(s, '#', 0, colon);
    int nameEnd =
        comma < 0 ? (hash < 0 ? colon : hash) : (hash < 0 ? comma : Math.min(comma, hash));
    if (!isName(s, nameEnd)) {
      return BAD_NAME;
    }
    List<Tag> tags = new ArrayList<>(0);
    if (nameEnd < colon && !tags(s, nameEnd + 1, colon, '=', tags)) {
      return BAD_TAG;
    }
    double rate = 1;
    for (int at = typeEnd; at < end; ) {
      int next = s.indexOf('|', at + 1);
      if (next < 0) {
        next = end;
      }
      int from = at + 1;
      if (from >= next) {
        return BAD_SECTION;
      }
      char kind = s.charAt(from);
      if (kind == '@') {
        rate = number(s, from + 1, next);
        if (!(rate > 0 && rate <= 1)) {
          return BAD_RATE;
        }
      } else if (kind == '#') {
        if (!tags(s, from + 1, next, ':', tags)) {
          return BAD_TAG;
        }
      } else if (!(kind == 'T' || (kind == 'c' || kind == 'e') && s.startsWith(":", from + 1))) {
        // DogStatsD's timestamp (|T), container id (|c:) and external data (|e:) carry nothing
        // Stoke uses; anything else is not StatsD.
        return BAD_SECTION;
      }
      at = next;
    }
    return new Metric(
        s.substring(0, nameEnd), value, type, rate, tags.isEmpty() ? List.of() : tags);
  }

  private static boolean isName(String s, int end) {
    if (end == 0) {
      return false;
    }
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds the {@code k<sep>v} tags of {@code s[from, to)}, comma separated; false on an empty key.
   */
  private static boolean tags(String s, int from, int to, char separator, List<Tag> tags) {
    int at = from;
    while (at < to) {
      int comma = indexOf(s, ',', at, to);
      int tagEnd = comma < 0 ? to : comma;
      int sep = indexOf(s, separator, at, tagEnd);
      int keyEnd = sep < 0 ? tagEnd : sep;
      if (keyEnd == at) {
        return false;
      }
      String value = sep < 0 ? "" : s.substring(sep + 1, tagEnd);
      tags.add(new Tag(s.substring(at, keyEnd), value));
      at = tagEnd + 1;
    }
    return true;
  }

  private static MetricType type(String s, int from, int to) {
    int length = to - from;
    if (length == 1) {
      return switch (s.charAt(from)) {
        case 'c' -> MetricType.COUNTER;
        case 'g' -> MetricType.GAUGE;
        case 'h' -> MetricType.HISTOGRAM;
        case 'd' -> MetricType.DISTRIBUTION;
        case 's' -> MetricType.SET;
        default -> null;
      };
    }
    if (length == 2 && s.charAt(from) == 'm' && s.charAt(from + 1) == 's') {
      return MetricType.TIMER;
    }
    return null;
  }

  /**
   * The decimal number in {@code s[from, to)}, or NaN when it does not match {@code
   * -?digits[.digits][(e|E)[+-]?digits]} or overflows a double.
   */
  static double number(String s, int from, int to) {
    int i = from;
    boolean negative = i < to && s.charAt(i) == '-';
    if (negative) {
      i++;
    }
    int digitsFrom = i;
    long whole = 0;
    while (i < to && isDigit(s.charAt(i))) {
      whole = whole * 10 + (s.charAt(i) - '0');
      i++;
    }
    int wholeDigits = i - digitsFrom;
    if (i == to && wholeDigits > 0 && wholeDigits <= 15) {
      return negative ? -whole : whole;
    }
    int fractionDigits = 0;
    if (i < to && s.charAt(i) == '.') {
      i++;
      int fractionFrom = i;
      while (i < to && isDigit(s.charAt(i))) {
        i++;
      }
      fractionDigits = i - fractionFrom;
    }
    if (wholeDigits + fractionDigits == 0) {
      return Double.NaN;
    }
    if (i < to && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponentFrom = i;
      while (i < to && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == exponentFrom) {
        return Double.NaN;
      }
    }
    if (i != to) {
      return Double.NaN;
    }
    double value = Double.parseDouble(s.substring(from, to));
    return Double.isFinite(value) ? value : Double.NaN;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int indexOf(String s, char c, int from, int to) {
    int at = s.indexOf(c, from);
    return at >= 0 && at < to ? at : -1;
  }
}
