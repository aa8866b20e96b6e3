package dev.runbook.engine.internal.render;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.UrlCredentials;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@code run} script for a POSIX shell so that no value can become shell syntax.
 *
 * <p>Each {@code ${{ }}} is replaced by a bare expansion of an environment variable, {@code
 * ${RB_1}}, {@code ${RB_2}}, … numbered from 1 in order of appearance (one per occurrence, even of
 * the same expression), and its value goes into the child's environment under that name. The shell
 * therefore treats a value exactly as it treats the value of any variable:
 *
 * <ul>
 *   <li>in double quotes, {@code "${{ params.dir }}"} is one word, byte for byte;
 *   <li>unquoted, it is split into words at blanks and each word is then globbed ({@code *} matches
 *       file names) — POSIX field splitting and pathname expansion, on purpose: {@code run: "${{
 *       params.stop_cmd }}"} with {@code systemctl stop seqdesk} runs that command;
 *   <li>in neither case is it parsed again: {@code ;}, {@code &&}, {@code |}, quotes, {@code $( )},
 *       backticks, {@code $HOME} and line breaks in a value stay text.
 * </ul>
 *
 * <p>The braces keep the name from running into what follows ({@code ${{ x }}_old} becomes {@code
 * ${RB_1}_old}). Where the shell would not expand the variable, the script is refused ({@link
 * #problems}): inside single quotes, after a backslash, or right after a {@code $}. Inside {@code
 * $(( ))} the value is evaluated as arithmetic, and bash evaluates an array index there ({@code
 * a[$(cmd)]} runs {@code cmd}): that is a warning. What the script itself does with a value ({@code
 * eval}, {@code sh -c "${RB_1}"}, bash's {@code [[ $x -eq 1 ]]}, which is arithmetic too) is the
 * author's choice; no rendering can see into it.
 *
 * <p>Only for POSIX shells and bash ({@code ShellScript.isPosix}); for other interpreters a value
 * is read from {@code env:}. The caller merges {@link RenderedScript#environment()} over the step's
 * environment, so the {@code RB_} names must stay reserved for it.
 */
public final class ShellTemplate {
  /** The prefix of the environment variables that carry values into a script. */
  public static final String VARIABLE_PREFIX = "RB_";

  private ShellTemplate() {}

  /**
   * Renders {@code script} against {@code bindings}.
   *
   * @return never null; not {@linkplain RenderedScript#known() known} if a part reads a pending
   *     step
   * @throws RunbookException ({@link ErrorCode#INVALID_INPUT}) if {@link #problems} finds an error
   * @throws dev.runbook.dsl.expr.ExpressionException when a part does not compile, cannot be
   *     evaluated or has no text
   */
  public static RenderedScript render(Template script, Bindings bindings) {
    for (Problem problem : problems(script)) {
      if (problem.isError()) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT, problem.headline(), problem.hint().orElse(null));
      }
    }
    return substitute(script, bindings);
  }

  /** Renders without looking for {@link #problems}; for tests that run what the shell would do. */
  static RenderedScript substitute(Template script, Bindings bindings) {
    StringBuilder text = new StringBuilder();
    StringBuilder display = new StringBuilder();
    List<Expansion> expansions = new ArrayList<>();
    for (Template.Part part : script.parts()) {
      if (part instanceof Template.Literal literal) {
        text.append(literal.text());
        display.append(literal.text());
      } else {
        Expansion expansion =
            Expansion.resolve(((Template.Interpolation) part).expression(), bindings);
        expansions.add(expansion);
        text.append("${").append(variable(expansions.size())).append('}');
        display.append(expansion.display());
      }
    }
    // The password of a URL is masked whether or not its parameter is secret: it may be one
    // that should have been, or written in the runbook itself.
    return new RenderedScript(text.toString(), UrlCredentials.mask(display.toString()), expansions);
  }

  /**
   * The mistakes in where a script's {@code ${{ }}} parts stand, found from its text alone (no
   * values needed, so validation can report them).
   *
   * <p>Errors: {@code script.single-quoted}, {@code script.escaped}, {@code script.after-dollar}
   * (the shell would not expand the value). Warning: {@code script.arithmetic}. A script whose
   * quoting the scan cannot follow (a here-document, bash's {@code $'…'}) gets no problem for the
   * parts after that point.
   *
   * @return the problems in script order, each at its {@code ${{}; may be empty
   */
  public static List<Problem> problems(Template script) {
    List<ShellSyntaxScan.Placement> placements = ShellSyntaxScan.placements(script);
    List<Problem> problems = new ArrayList<>();
    int index = 0;
    for (Template.Part part : script.parts()) {
      if (part instanceof Template.Interpolation interpolation) {
        index++;
        Problem problem =
            problem(placements.get(index - 1), interpolation.expression(), variable(index));
        if (problem != null) {
          problems.add(problem);
        }
      }
    }
    return List.copyOf(problems);
  }

  /** The environment variable of the {@code n}th {@code ${{ }}}, counting from 1. */
  static String variable(int n) {
    return VARIABLE_PREFIX + n;
  }

  private static Problem problem(
      ShellSyntaxScan.Placement placement, Expression expression, String variable) {
    String part = "`${{ " + expression.source() + " }}`";
    switch (placement) {
      case SINGLE_QUOTED:
        return Problem.error(
            "script.single-quoted",
            expression.location(),
            part
                + " is inside single quotes, where the shell expands nothing: the script would"
                + " get the text ${"
                + variable
                + "}, not the value",
            "end the single quotes before it and put it in double quotes: 'text '\"${{ "
                + expression.source()
                + " }}\"' more text'");
      case ESCAPED:
        return Problem.error(
            "script.escaped",
            expression.location(),
            part
                + " follows a backslash, which stops the shell from expanding it: the script"
                + " would get the text ${"
                + variable
                + "}, not the value",
            "remove the backslash: a value never needs escaping");
      case AFTER_DOLLAR:
        return Problem.error(
            "script.after-dollar",
            expression.location(),
            part
                + " follows a `$`: the shell would read `$$` (its process id) followed by the text"
                + " {"
                + variable
                + "}",
            "remove the `$` before `${{`");
      case ARITHMETIC:
        return Problem.warning(
            "script.arithmetic",
            expression.location(),
            part
                + " is inside $(( )), where the shell evaluates the value as arithmetic; bash"
                + " runs a command hidden in an array index such as a[$(cmd)]",
            "use only a value that is a number (an int parameter), or check it before the"
                + " arithmetic: case \"${{ "
                + expression.source()
                + " }}\" in *[!0-9]*) exit 1;; esac");
      case EXPANDED:
      case COMMENT:
      case UNKNOWN:
        return null;
    }
    throw new AssertionError(placement);
  }
}
