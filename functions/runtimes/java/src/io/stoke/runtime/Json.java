package io.stoke.runtime;

import java.util.Iterator;
import java.util.Map;

/**
 * A minimal JSON writer for handlers (the runtime has no dependencies): maps, iterables, arrays of
 * objects, strings, numbers, booleans and null.
 */
public final class Json {

  private Json() {}

  /** The JSON text of a value built from maps, iterables, strings, numbers, booleans and null. */
  public static String stringify(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    switch (value) {
      case null -> out.append("null");
      case String s -> quote(out, s);
      case Boolean b -> out.append(b);
      case Double d when d.isNaN() || d.isInfinite() -> out.append("null");
      case Float f when f.isNaN() || f.isInfinite() -> out.append("null");
      case Number n -> out.append(n);
      case Map<?, ?> map -> writeObject(out, map);
      case Iterable<?> items -> writeArray(out, items.iterator());
      case Object[] items -> writeArray(out, java.util.Arrays.asList(items).iterator());
      default -> quote(out, value.toString());
    }
  }

  private static void writeObject(StringBuilder out, Map<?, ?> map) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(out, String.valueOf(entry.getKey()));
      out.append(':');
      write(out, entry.getValue());
    }
    out.append('}');
  }

  private static void writeArray(StringBuilder out, Iterator<?> items) {
    out.append('[');
    while (items.hasNext()) {
      write(out, items.next());
      if (items.hasNext()) {
        out.append(',');
      }
    }
    out.append(']');
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
