package io.leakedproducer.checker.sarif;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the SARIF log needs, so that the checker (which runs inside every user's javac)
 * brings no JSON library onto their processor path. Values are {@code Map<String, Object>} (key
 * order kept), {@code List<Object>}, {@code String}, {@code Number}, {@code Boolean} or {@code
 * null}.
 */
final class Json {
  private Json() {}

  /** Thrown for text that is not one complete JSON value. */
  static final class MalformedJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedJsonException(String message, int at) {
      super(message + " at character " + at);
    }
  }

  /** {@code value} as indented JSON text, ending in a newline. */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, 0, out);
    return out.append('\n').toString();
  }

  private static void write(Object value, int depth, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      quote(s, out);
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      out.append(value);
    } else if (value instanceof BigDecimal d) {
      out.append(d.toString());
    } else if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      String separator = "\n";
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(separator);
        indent(depth + 1, out);
        quote((String) entry.getKey(), out);
        out.append(": ");
        write(entry.getValue(), depth + 1, out);
        separator = ",\n";
      }
      out.append('\n');
      indent(depth, out);
      out.append('}');
    } else if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      String separator = "\n";
      for (Object element : list) {
        out.append(separator);
        indent(depth + 1, out);
        write(element, depth + 1, out);
        separator = ",\n";
      }
      out.append('\n');
      indent(depth, out);
      out.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass());
    }
  }

  private static void indent(int depth, StringBuilder out) {
    out.append("  ".repeat(depth));
  }

  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
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

  /** Parses one JSON value (RFC 8259); numbers come back as {@link BigDecimal}. */
  static Object parse(String text) throws MalformedJsonException {
    Parser parser = new Parser(text);
    parser.skipWhitespace();
    Object value = parser.value();
    parser.skipWhitespace();
    if (parser.at != text.length()) {
      throw new MalformedJsonException("text after the JSON value", parser.at);
    }
    return value;
  }

  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    Object value() throws MalformedJsonException {
      if (at >= text.length()) {
        throw new MalformedJsonException("unexpected end", at);
      }
      char c = text.charAt(at);
      return switch (c) {
        case '{' -> object();
        case '[' -> array();
        case '"' -> string();
        case 't' -> literal("true", true);
        case 'f' -> literal("false", false);
        case 'n' -> literal("null", null);
        default -> number();
      };
    }

    private Map<String, Object> object() throws MalformedJsonException {
      Map<String, Object> map = new LinkedHashMap<>();
      at++; // '{'
      skipWhitespace();
      if (peek() == '}') {
        at++;
        return map;
      }
      while (true) {
        skipWhitespace();
        if (peek() != '"') {
          throw new MalformedJsonException("expected a member name", at);
        }
        String key = string();
        skipWhitespace();
        expect(':');
        skipWhitespace();
        map.put(key, value());
        skipWhitespace();
        if (peek() == ',') {
          at++;
        } else {
          expect('}');
          return map;
        }
      }
    }

    private List<Object> array() throws MalformedJsonException {
      List<Object> list = new ArrayList<>();
      at++; // '['
      skipWhitespace();
      if (peek() == ']') {
        at++;
        return list;
      }
      while (true) {
        skipWhitespace();
        list.add(value());
        skipWhitespace();
        if (peek() == ',') {
          at++;
        } else {
          expect(']');
          return list;
        }
      }
    }

    private String string() throws MalformedJsonException {
      at++; // opening quote
      StringBuilder out = new StringBuilder();
      while (true) {
        if (at >= text.length()) {
          throw new MalformedJsonException("unterminated string", at);
        }
        char c = text.charAt(at++);
        if (c == '"') {
          return out.toString();
        }
        if (c < 0x20) {
          throw new MalformedJsonException("control character in a string", at - 1);
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        if (at >= text.length()) {
          throw new MalformedJsonException("unterminated escape", at);
        }
        char escaped = text.charAt(at++);
        switch (escaped) {
          case '"', '\\', '/' -> out.append(escaped);
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            if (at + 4 > text.length()) {
              throw new MalformedJsonException("short \\u escape", at);
            }
            try {
              out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
            } catch (NumberFormatException e) {
              throw new MalformedJsonException("bad \\u escape", at);
            }
            at += 4;
          }
          default -> throw new MalformedJsonException("bad escape", at - 1);
        }
      }
    }

    private Object literal(String word, Object value) throws MalformedJsonException {
      if (!text.startsWith(word, at)) {
        throw new MalformedJsonException("unexpected character", at);
      }
      at += word.length();
      return value;
    }

    private BigDecimal number() throws MalformedJsonException {
      int start = at;
      while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
        at++;
      }
      try {
        return new BigDecimal(text.substring(start, at));
      } catch (NumberFormatException e) {
        throw new MalformedJsonException("unexpected character", start);
      }
    }

    private char peek() throws MalformedJsonException {
      if (at >= text.length()) {
        throw new MalformedJsonException("unexpected end", at);
      }
      return text.charAt(at);
    }

    private void expect(char c) throws MalformedJsonException {
      if (peek() != c) {
        throw new MalformedJsonException("expected '" + c + "'", at);
      }
      at++;
    }

    void skipWhitespace() {
      while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
        at++;
      }
    }
  }
}
