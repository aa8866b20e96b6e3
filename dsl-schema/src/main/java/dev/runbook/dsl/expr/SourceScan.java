package dev.runbook.dsl.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * Lexical facts about an expression's source that JEXL's public API does not expose: the names
 * called as functions, and how deeply brackets nest.
 *
 * <p>This is not a parser (JEXL parses): it skips string literals, regular-expression literals and
 * comments, and looks at identifiers followed by {@code (}. Where it could misjudge, it errs
 * towards refusing: a call it cannot see is still refused by JEXL at evaluation.
 *
 * @param calls names written as {@code name(…)} outside strings, in order; not those after a {@code
 *     .} (method calls, which JEXL refuses itself)
 * @param depth the deepest nesting of {@code (}, {@code [} and <code>{</code>
 * @param backtick whether a {@code `} occurs anywhere, strings included
 */
record SourceScan(List<String> calls, int depth, boolean backtick) {
  SourceScan {
    calls = List.copyOf(calls);
  }

  static SourceScan of(String src) {
    List<String> calls = new ArrayList<>();
    int depth = 0;
    int maxDepth = 0;
    char previous = 0; // the last significant character before the current token
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '\'' || c == '"') {
        i = skipQuoted(src, i, c);
        previous = c;
      } else if (c == '~' && i + 1 < n && src.charAt(i + 1) == '/') {
        i = skipQuoted(src, i + 1, '/');
        previous = '/';
      } else if (src.startsWith("//", i) || src.startsWith("##", i)) {
        int end = src.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (Character.isJavaIdentifierStart(c)) {
        int start = i;
        while (i < n && Character.isJavaIdentifierPart(src.charAt(i))) {
          i++;
        }
        int next = i;
        while (next < n && Character.isWhitespace(src.charAt(next))) {
          next++;
        }
        if (next < n && src.charAt(next) == '(' && previous != '.') {
          calls.add(src.substring(start, i));
        }
        previous = 'a';
      } else {
        if (c == '(' || c == '[' || c == '{') {
          maxDepth = Math.max(maxDepth, ++depth);
        } else if (c == ')' || c == ']' || c == '}') {
          depth--;
        }
        if (!Character.isWhitespace(c)) {
          previous = c;
        }
        i++;
      }
    }
    return new SourceScan(calls, maxDepth, src.indexOf('`') >= 0);
  }

  /** The index after the literal that starts at {@code start} and ends with {@code quote}. */
  private static int skipQuoted(String src, int start, char quote) {
    int i = start + 1;
    while (i < src.length()) {
      char c = src.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote) {
        return i + 1;
      } else {
        i++;
      }
    }
    return src.length();
  }
}
