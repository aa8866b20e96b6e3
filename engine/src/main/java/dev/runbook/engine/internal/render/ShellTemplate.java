package dev.runbook.engine.internal.render;

import dev.runbook.dsl.Shells;
import dev.runbook.dsl.UrlCredentials;
import dev.runbook.dsl.model.Template;
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
 * ${RB_1}_old}). Where the shell would not expand the variable (inside single quotes, after a
 * backslash, right after a {@code $}) the runbook is refused when it is loaded, by the DSL's {@code
 * ScriptRules}; a value in arithmetic is a warning there. What the script itself does with a value
 * ({@code eval}, {@code sh -c "${RB_1}"}, bash's {@code [[ $x -eq 1 ]]}, which is arithmetic too)
 * is the author's choice; no rendering can see into it.
 *
 * <p>Only for POSIX shells and bash ({@code Shells.Kind.posix()}); for other interpreters a value
 * is read from {@code env:}. The caller merges {@link RenderedScript#environment()} over the step's
 * environment, so the {@code RB_} names must stay reserved for it.
 */
public final class ShellTemplate {
  /** The prefix of the environment variables that carry values into a script. */
  public static final String VARIABLE_PREFIX = Shells.VARIABLE_PREFIX;

  private ShellTemplate() {}

  /**
   * Renders {@code script} against {@code bindings}. Where each {@code ${{ }}} stands was checked
   * when the runbook was loaded ({@code ScriptRules} in the DSL, which {@code validate} runs): a
   * runbook that loaded has none the shell would not expand.
   *
   * @return never null; not {@linkplain RenderedScript#known() known} if a part reads a pending
   *     step
   * @throws dev.runbook.dsl.expr.ExpressionException when a part does not compile, cannot be
   *     evaluated or has no text
   */
  public static RenderedScript render(Template script, Bindings bindings) {
    return substitute(script, bindings);
  }

  /** The rendering itself. */
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

  /** The environment variable of the {@code n}th {@code ${{ }}}, counting from 1. */
  static String variable(int n) {
    return VARIABLE_PREFIX + n;
  }
}
