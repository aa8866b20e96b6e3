package dev.runbook.engine.internal.render;

import dev.runbook.dsl.UrlCredentials;
import dev.runbook.dsl.model.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a template that is not a shell script (a path, a URL, a header value, one {@code exec}
 * argument) to plain text.
 *
 * <p>The result is one string, whatever the value holds: for an {@code exec} argv each template is
 * exactly one argument, never split and never seen by a shell, so no value needs quoting or can
 * become syntax. Whether a secret may appear where the text goes (it may not on an argv) is the
 * caller's rule; {@link RenderedValue#secret()} says whether it does.
 */
public final class ValueTemplate {
  private ValueTemplate() {}

  /**
   * Renders {@code template} against {@code bindings}.
   *
   * @return never null; not {@linkplain RenderedValue#known() known} if a part reads a pending step
   * @throws dev.runbook.dsl.expr.ExpressionException when a part does not compile, cannot be
   *     evaluated or has no text
   */
  public static RenderedValue render(Template template, Bindings bindings) {
    StringBuilder text = new StringBuilder();
    StringBuilder display = new StringBuilder();
    List<Expansion> expansions = new ArrayList<>();
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Literal literal) {
        text.append(literal.text());
        display.append(literal.text());
      } else {
        Expansion expansion =
            Expansion.resolve(((Template.Interpolation) part).expression(), bindings);
        expansions.add(expansion);
        expansion.value().ifPresent(text::append);
        display.append(expansion.display());
      }
    }
    boolean known = expansions.stream().allMatch(Expansion::known);
    // The password of a URL is masked whether or not its parameter is secret: it may be one
    // that should have been, or written in the runbook itself.
    return new RenderedValue(
        known ? text.toString() : null, UrlCredentials.mask(display.toString()), expansions);
  }

  /** Renders each template of an argv as one argument, in order. */
  public static List<RenderedValue> renderEach(List<Template> templates, Bindings bindings) {
    List<RenderedValue> rendered = new ArrayList<>(templates.size());
    for (Template template : templates) {
      rendered.add(render(template, bindings));
    }
    return List.copyOf(rendered);
  }
}
