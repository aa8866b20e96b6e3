package dev.runbook.dsl.internal;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.expr.CompiledExpression;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Template;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Connects the loader to the expression language: templates and expressions are parsed (and so
 * syntax-checked) while binding, and their references are read by the semantic checks.
 */
final class ExpressionSupport implements ModelBinder.TemplateParser {
  private final Map<Expression, CompiledExpression> compiled = new IdentityHashMap<>();

  @Override
  public Optional<Template> parse(String text, SourceLocation location, List<Problem> problems) {
    Template template;
    try {
      template = ExpressionLanguage.parseTemplate(text, location);
    } catch (ExpressionException e) {
      problems.add(problem(e, location));
      return Optional.empty();
    }
    boolean ok = true;
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Interpolation i) {
        ok &= compile(i.expression(), problems);
      }
    }
    return ok ? Optional.of(template) : Optional.empty();
  }

  @Override
  public Optional<Expression> expression(
      String text, SourceLocation location, List<Problem> problems) {
    Expression expression = new Expression(text, location);
    return compile(expression, problems) ? Optional.of(expression) : Optional.empty();
  }

  /** The variable paths an expression reads; empty when it did not compile. */
  List<List<String>> references(Expression expression) {
    CompiledExpression c = compiled.get(expression);
    return c == null ? List.of() : c.references();
  }

  private boolean compile(Expression expression, List<Problem> problems) {
    try {
      compiled.put(expression, ExpressionLanguage.compile(expression));
      return true;
    } catch (ExpressionException e) {
      problems.add(problem(e, expression.location()));
      return false;
    }
  }

  private static Problem problem(ExpressionException e, SourceLocation fallback) {
    SourceLocation at = e.location() == null ? fallback : e.location();
    return Problem.error("expr.syntax", at, e.getMessage(), e.hint().orElse(null));
  }
}
