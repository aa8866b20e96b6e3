package dev.runbook.dsl.expr;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a scalar into literal text and {@code ${{ … }}} parts.
 *
 * <p>Only the delimiters are found here; what is inside is handed to JEXL as it is. The closing
 * {@code }}} is the first one outside a quoted string, so {@code ${{ contains(x, '}}') }}} works.
 */
final class TemplateParser {
  static final String OPEN = "${{";
  static final String CLOSE = "}}";

  private TemplateParser() {}

  static Template parse(String text, SourceLocation location) {
    List<Template.Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf(OPEN, i);
      if (open < 0) {
        literal.append(text, i, text.length());
        break;
      }
      literal.append(text, i, open);
      SourceLocation at = locate(location, text, open);
      int close = findClose(text, open, at);
      String inside = text.substring(open + OPEN.length(), close);
      if (inside.isBlank()) {
        throw new ExpressionException(
            Reason.SYNTAX,
            at,
            "empty `${{ }}`: write an expression inside, such as ${{ params.name }}");
      }
      if (literal.length() > 0) {
        parts.add(new Template.Literal(literal.toString()));
        literal.setLength(0);
      }
      parts.add(new Template.Interpolation(new Expression(inside.strip(), at)));
      i = close + CLOSE.length();
    }
    if (literal.length() > 0) {
      parts.add(new Template.Literal(literal.toString()));
    }
    return new Template(text, parts, location);
  }

  /** The index of the {@code }}} that closes the {@code ${{} at {@code open}. */
  private static int findClose(String text, int open, SourceLocation at) {
    char quote = 0;
    for (int j = open + OPEN.length(); j < text.length(); j++) {
      char c = text.charAt(j);
      if (quote != 0) {
        if (c == '\\') {
          j++; // the escaped character cannot end the string
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (text.startsWith(CLOSE, j)) {
        return j;
      } else if (text.startsWith(OPEN, j)) {
        throw new ExpressionException(
            Reason.SYNTAX,
            at,
            "`${{` inside `${{ }}`: expressions do not nest; close the first one with `}}`");
      }
    }
    String why =
        quote != 0
            ? "`${{` is not closed: a string opened with " + quote + " inside it never ends"
            : "`${{` is not closed: add `}}` after the expression";
    throw new ExpressionException(Reason.SYNTAX, at, why);
  }

  /**
   * Where the character at {@code offset} of {@code text} is, if {@code text} is written verbatim
   * from {@code start}: on the first line, {@code start}'s column plus the offset; on a later line,
   * the same starting column plus the offset within that line (exact for a YAML literal block).
   * Columns count code points, as snakeyaml-engine's marks do. A location without a line or column
   * stays without one.
   */
  static SourceLocation locate(SourceLocation start, String text, int offset) {
    if (start.line() == 0) {
      return start;
    }
    int line = start.line();
    int lineStart = 0;
    for (int j = 0; j < offset; j++) {
      if (text.charAt(j) == '\n') {
        line++;
        lineStart = j + 1;
      }
    }
    if (start.column() == 0) {
      return new SourceLocation(start.file(), line, 0);
    }
    int column = start.column() + text.codePointCount(lineStart, offset);
    return new SourceLocation(start.file(), line, column);
  }
}
