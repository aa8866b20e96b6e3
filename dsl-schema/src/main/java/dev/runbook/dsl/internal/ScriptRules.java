package dev.runbook.dsl.internal;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.Shells;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * The mistakes in where a shell script's {@code ${{ }}} parts stand, found from its text alone (no
 * values needed): the rules behind the engine's rendering of a value as {@code ${RB_n}}.
 *
 * <p>Errors: {@code script.single-quoted}, {@code script.escaped}, {@code script.after-dollar} (the
 * shell would not expand the value). Warnings: {@code script.arithmetic} for {@code $(( ))}, and
 * for bash and ksh {@code script.arithmetic-command} for {@code (( ))}, {@code let} and {@code [[
 * -eq ]]}: there the shell evaluates the value as arithmetic, and a command hidden in an array
 * index such as {@code a[$(cmd)]} runs. {@code validate --strict} makes the warnings errors. A
 * script whose quoting the scan cannot follow (a here-document, bash's {@code $'…'}) gets no
 * problem for the parts after that point.
 */
public final class ScriptRules {
  private ScriptRules() {}

  /**
   * The problems of {@code script} as run by a shell of {@code kind}.
   *
   * @return the problems in script order, each at its {@code ${{}; may be empty
   */
  public static List<Problem> problems(Template script, Shells.Kind kind) {
    List<ShellSyntaxScan.Placement> placements =
        ShellSyntaxScan.placements(script, kind.arithmeticCommands());
    List<Problem> problems = new ArrayList<>();
    int index = 0;
    for (Template.Part part : script.parts()) {
      if (part instanceof Template.Interpolation interpolation) {
        index++;
        Problem problem =
            problem(
                placements.get(index - 1),
                interpolation.expression(),
                Shells.VARIABLE_PREFIX + index);
        if (problem != null) {
          problems.add(problem);
        }
      }
    }
    return List.copyOf(problems);
  }

  private static Problem problem(
      ShellSyntaxScan.Placement placement, Expression expression, String variable) {
    String part = "`${{ " + expression.source() + " }}`";
    String checkFirst =
        "use only a value that is a number (an int parameter), or check it first: case \"${{ "
            + expression.source()
            + " }}\" in *[!0-9]*) exit 1;; esac";
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
            checkFirst);
      case ARITHMETIC_COMMAND:
        return Problem.warning(
            "script.arithmetic-command",
            expression.location(),
            part
                + " is inside (( )), `let` or a [[ ]] that compares numbers, where the shell"
                + " evaluates the value as arithmetic and runs a command hidden in an array index"
                + " such as a[$(cmd)]",
            checkFirst);
      case EXPANDED:
      case COMMENT:
      case UNKNOWN:
        return null;
    }
    throw new AssertionError(placement);
  }
}
