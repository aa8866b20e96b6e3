package dev.runbook.dsl.internal;

import dev.runbook.dsl.model.Template;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Finds where each {@code ${{ }}} of a script stands in POSIX shell syntax, reading the literal
 * text only.
 *
 * <p>It tracks quotes ({@code '…'}, {@code "…"}, backslash escapes), the nesting of {@code $( )},
 * backticks, {@code ${ }} and {@code $(( ))}, and comments. It is deliberately not a shell parser:
 * where the syntax needs one (a here-document, bash's {@code $'…'}, {@code case} inside {@code $(
 * )}, quotes inside {@code "${…}"}) it gives up, and every later part is {@link Placement#UNKNOWN},
 * so that it never reports a mistake in a script it does not understand.
 *
 * <p>For a shell with arithmetic commands (bash, ksh) it also follows {@code (( ))}, {@code let}
 * and {@code [[ ]]}: a value in {@code (( ))} or a {@code let} is arithmetic; in a {@code [[ ]]}
 * that compares numbers ({@code -eq}, {@code -lt}, …) every value is counted as arithmetic, since
 * telling the operands of {@code -eq} from those of {@code ==} would take a parser.
 */
final class ShellSyntaxScan {

  /** Where a {@code ${{ }}} stands. */
  enum Placement {
    /** Where the shell expands {@code ${RB_n}}: unquoted, in double quotes, in {@code $( )}. */
    EXPANDED,
    /** Inside single quotes: the script would see the text {@code ${RB_n}}. */
    SINGLE_QUOTED,
    /** After a backslash that escapes its {@code $}: the script would see {@code ${RB_n}}. */
    ESCAPED,
    /** Right after a {@code $}: the shell would read {@code $$} and then {@code {RB_n}}. */
    AFTER_DOLLAR,
    /** Inside {@code $(( ))}: the value is evaluated as arithmetic. */
    ARITHMETIC,
    /** Inside bash's {@code (( ))}, {@code let} or a {@code [[ -eq ]]}: arithmetic too. */
    ARITHMETIC_COMMAND,
    /** Inside a comment: never expanded, harmless. */
    COMMENT,
    /** After a construct the scan does not follow. */
    UNKNOWN
  }

  private enum Context {
    COMMAND,
    DOUBLE,
    SINGLE,
    BACKTICK,
    PARAMETER,
    ARITHMETIC,
    ARITHMETIC_COMMAND,
    LET,
    TEST,
    COMMENT
  }

  private static final class Frame {
    final Context context;
    final boolean outermost;
    final boolean inDoubleQuotes;
    int parens;
    // A [[ ]]: whether it compares numbers, and the expansions inside it so far.
    boolean numeric;
    final List<Integer> inside = new ArrayList<>();

    Frame(Context context, boolean outermost, boolean inDoubleQuotes) {
      this.context = context;
      this.outermost = outermost;
      this.inDoubleQuotes = inDoubleQuotes;
    }
  }

  private final Deque<Frame> stack = new ArrayDeque<>();
  private final List<Placement> placements = new ArrayList<>();
  private final boolean arithmeticCommands;
  private boolean escaped;
  private boolean dollarAtEnd;
  private boolean gaveUp;
  // The character before the current one in the shell's view; '\n' at the start, so that a '#'
  // there begins a comment.
  private char previous = '\n';

  private ShellSyntaxScan(boolean arithmeticCommands) {
    this.arithmeticCommands = arithmeticCommands;
    stack.push(new Frame(Context.COMMAND, true, false));
  }

  /**
   * The placement of each {@code ${{ }}} of {@code script}, in order.
   *
   * @param arithmeticCommands whether the shell has {@code (( ))}, {@code let} and {@code [[ ]]}
   */
  static List<Placement> placements(Template script, boolean arithmeticCommands) {
    ShellSyntaxScan scan = new ShellSyntaxScan(arithmeticCommands);
    for (Template.Part part : script.parts()) {
      if (part instanceof Template.Literal literal) {
        scan.literal(literal.text());
      } else {
        scan.expansion();
      }
    }
    return List.copyOf(scan.placements);
  }

  private void expansion() {
    Placement placement = placement();
    if (placement == Placement.EXPANDED) {
      for (Frame frame : stack) {
        if (frame.context == Context.TEST) {
          frame.inside.add(placements.size());
          break;
        }
        if (frame.context == Context.COMMAND || frame.context == Context.BACKTICK) {
          break;
        }
      }
    }
    placements.add(placement);
    escaped = false;
    dollarAtEnd = false;
    previous = '}';
  }

  private Placement placement() {
    if (gaveUp) {
      return Placement.UNKNOWN;
    }
    if (escaped) {
      return Placement.ESCAPED;
    }
    if (dollarAtEnd) {
      return Placement.AFTER_DOLLAR;
    }
    switch (stack.peek().context) {
      case SINGLE:
        return Placement.SINGLE_QUOTED;
      case COMMENT:
        return Placement.COMMENT;
      default:
        break;
    }
    // "$(( "${RB_1}" ))" is arithmetic too; "$(( $(f ${RB_1}) ))" is not.
    for (Frame frame : stack) {
      if (frame.context == Context.ARITHMETIC) {
        return Placement.ARITHMETIC;
      }
      if (frame.context == Context.ARITHMETIC_COMMAND || frame.context == Context.LET) {
        return Placement.ARITHMETIC_COMMAND;
      }
      if (frame.context == Context.TEST) {
        break;
      }
      if (frame.context == Context.COMMAND || frame.context == Context.BACKTICK) {
        break;
      }
    }
    return Placement.EXPANDED;
  }

  private void literal(String text) {
    dollarAtEnd = false;
    int i = 0;
    while (i < text.length() && !gaveUp) {
      i += step(text, i);
    }
  }

  /** Reads the character at {@code i}; returns how many characters it consumed. */
  private int step(String text, int i) {
    char c = text.charAt(i);
    Frame frame = stack.peek();
    boolean wasEscaped = escaped;
    int consumed = 1;
    switch (frame.context) {
      case COMMENT:
        if (c == '\n') {
          stack.pop();
        }
        break;
      case SINGLE:
        if (c == '\'') {
          stack.pop();
        }
        break;
      case DOUBLE:
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          stack.pop();
        } else if (c == '`') {
          stack.push(new Frame(Context.BACKTICK, false, true));
        } else if (c == '$') {
          consumed = dollar(text, i, true);
        }
        break;
      default:
        consumed = code(frame, text, i);
        break;
    }
    // An escaped character is part of a word: "a\\ #b" has no comment.
    previous = wasEscaped ? 'x' : text.charAt(i + consumed - 1);
    return consumed;
  }

  /** A character in a context where the shell reads words and operators. */
  private int code(Frame frame, String text, int i) {
    char c = text.charAt(i);
    if (escaped) {
      escaped = false;
      return 1;
    }
    if (arithmeticCommands) {
      int consumed = arithmeticCommand(frame, text, i);
      if (consumed > 0) {
        return consumed;
      }
    }
    switch (c) {
      case '\\':
        escaped = true;
        return 1;
      case '\'':
      case '"':
        if (frame.context == Context.PARAMETER && frame.inDoubleQuotes) {
          // Shells disagree on quotes inside "${x:-…}".
          gaveUp = true;
        } else {
          stack.push(new Frame(c == '"' ? Context.DOUBLE : Context.SINGLE, false, c == '"'));
        }
        return 1;
      case '`':
        if (frame.context == Context.BACKTICK) {
          stack.pop();
        } else {
          stack.push(new Frame(Context.BACKTICK, false, false));
        }
        return 1;
      case '$':
        return dollar(text, i, false);
      case '#':
        if (isCommand(frame) && startsWord()) {
          stack.push(new Frame(Context.COMMENT, false, false));
        }
        return 1;
      case '(':
        frame.parens++;
        return 1;
      case ')':
        return closeParen(frame, text, i);
      case '}':
        if (frame.context == Context.PARAMETER) {
          stack.pop();
        }
        return 1;
      case '<':
        if (isCommand(frame) && text.startsWith("<<", i)) {
          gaveUp = true; // a here-document: its body follows its own rules
        }
        return 1;
      default:
        if (frame.context == Context.COMMAND
            && !frame.outermost
            && startsWord()
            && isWord(text, i, "case")) {
          gaveUp = true; // "case x in a)" closes no parenthesis
        }
        return 1;
    }
  }

  /**
   * Where bash's arithmetic commands begin and end: {@code ((} and {@code [[} or {@code let} as a
   * command word, a {@code let} ending with its command, {@code ]]} ending a test.
   *
   * @return how many characters were consumed, 0 if none of them is at {@code i}
   */
  private int arithmeticCommand(Frame frame, String text, int i) {
    char c = text.charAt(i);
    if (frame.context == Context.LET && (c == '\n' || c == ';' || c == '&' || c == '|')) {
      stack.pop();
      return 1;
    }
    if (frame.context == Context.TEST && startsWord()) {
      if (text.startsWith("]]", i)) {
        stack.pop();
        if (frame.numeric) {
          frame.inside.forEach(n -> placements.set(n, Placement.ARITHMETIC_COMMAND));
        }
        return 2;
      }
      for (String op : List.of("-eq", "-ne", "-lt", "-le", "-gt", "-ge")) {
        if (isWord(text, i, op)) {
          frame.numeric = true;
          return op.length();
        }
      }
    }
    if (!isCommand(frame) || !startsWord()) {
      return 0;
    }
    if (text.startsWith("((", i)) {
      stack.push(new Frame(Context.ARITHMETIC_COMMAND, false, false));
      return 2;
    }
    if (text.startsWith("[[", i) && isWord(text, i, "[[")) {
      stack.push(new Frame(Context.TEST, false, false));
      return 2;
    }
    if (isWord(text, i, "let")) {
      stack.push(new Frame(Context.LET, false, false));
      return 3;
    }
    return 0;
  }

  private int closeParen(Frame frame, String text, int i) {
    if (frame.parens > 0) {
      frame.parens--;
      return 1;
    }
    if (frame.context == Context.ARITHMETIC || frame.context == Context.ARITHMETIC_COMMAND) {
      if (text.startsWith("))", i)) {
        stack.pop();
        return 2;
      }
      gaveUp = true;
      return 1;
    }
    if (frame.context == Context.LET || frame.context == Context.TEST) {
      // "$(let x=1)": the command ends with the substitution
      stack.pop();
      return closeParen(stack.peek(), text, i);
    }
    if (frame.context == Context.COMMAND && !frame.outermost) {
      stack.pop();
    }
    return 1;
  }

  /** A {@code $} at {@code i}, unescaped. */
  private int dollar(String text, int i, boolean inDoubleQuotes) {
    if (i + 1 == text.length()) {
      dollarAtEnd = true;
      return 1;
    }
    char next = text.charAt(i + 1);
    if (next == '(') {
      if (text.startsWith("((", i + 1)) {
        stack.push(new Frame(Context.ARITHMETIC, false, inDoubleQuotes));
        return 3;
      }
      stack.push(new Frame(Context.COMMAND, false, inDoubleQuotes));
      return 2;
    }
    if (next == '{') {
      stack.push(new Frame(Context.PARAMETER, false, inDoubleQuotes));
      return 2;
    }
    if (next == '\'' && !inDoubleQuotes) {
      gaveUp = true; // bash's $'…' has escapes that plain '…' has not
    }
    return 1;
  }

  private static boolean isCommand(Frame frame) {
    return frame.context == Context.COMMAND || frame.context == Context.BACKTICK;
  }

  private boolean startsWord() {
    return Character.isWhitespace(previous) || ";&|()<>".indexOf(previous) >= 0;
  }

  private static boolean isWord(String text, int i, String word) {
    int end = i + word.length();
    return text.startsWith(word, i)
        && (end == text.length()
            || Character.isWhitespace(text.charAt(end))
            || ";&|()".indexOf(text.charAt(end)) >= 0);
  }
}
