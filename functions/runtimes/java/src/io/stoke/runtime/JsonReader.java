package io.stoke.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON parser (objects as maps, arrays as lists, integers as Long, other numbers as Double)
 * for the answers of the state service; the runtime has no JSON library.
 */
public final class JsonReader {

  private final String text;
  private int at;

  private JsonReader(String text) {
    this.text = text;
  }

  /** The value {@code text} holds; IllegalArgumentException naming the offset when malformed. */
  public static Object parse(String text) {
    var reader = new JsonReader(text);
    var value = reader.value();
    reader.space();
    if (reader.at != text.length()) {
      throw reader.error("trailing characters");
    }
    return value;
  }

  private Object value() {
    space();
    if (at >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(at);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> number();
    };
  }

  private Map<String, Object> object() {
    var map = new LinkedHashMap<String, Object>();
    at++;
    space();
    if (peek('}')) {
      return map;
    }
    do {
      space();
      var key = string();
      space();
      expect(':');
      map.put(key, value());
      space();
    } while (consume(','));
    expect('}');
    return map;
  }

  private List<Object> array() {
    var list = new ArrayList<Object>();
    at++;
    space();
    if (peek(']')) {
      return list;
    }
    do {
      list.add(value());
      space();
    } while (consume(','));
    expect(']');
    return list;
  }

  private String string() {
    expect('"');
    var out = new StringBuilder();
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = text.charAt(at++);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          at += 4;
        }
        default -> out.append(e);
      }
    }
    throw error("unterminated string");
  }

  private Object number() {
    int start = at;
    while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
    var digits = text.substring(start, at);
    if (digits.isEmpty()) {
      throw error("unexpected character");
    }
    if (digits.matches("-?\\d+")) {
      return Long.parseLong(digits);
    }
    return Double.parseDouble(digits);
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, at)) {
      throw error("expected " + word);
    }
    at += word.length();
    return value;
  }

  private void space() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private boolean peek(char c) {
    if (at < text.length() && text.charAt(at) == c) {
      at++;
      return true;
    }
    return false;
  }

  private boolean consume(char c) {
    return peek(c);
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("malformed JSON at offset " + at + ": " + what);
  }
}
