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
  private static final ExpressionLanguage LANGUAGE = ExpressionLanguage.standard();
  private final Map<Expression, CompiledExpression> compiled = new IdentityHashMap<>();

  /** Sets up the expression engine (this class's initialization), if not done yet. */
  static void prepare() {
    // nothing more: calling a static method initializes the class
  }

  @Override
  public Optional<Template> parse(String text, SourceLocation location, List<Problem> problems) {
    Template template;
    try {
      template = LANGUAGE.parseTemplate(text, location);
    } catch (ExpressionException e) {
      problems.add(problem(e, location));
      return Optional.empty();
    }
    // Keep the template even when a part does not compile (the problem is recorded), so the
    // step stays in the model and later checks (e.g. references to it) stay accurate.
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Interpolation i) {
        compile(i.expression(), problems);
      }
    }
    return Optional.of(template);
  }

  @Override
  public Optional<Expression> expression(
      String text, SourceLocation location, List<Problem> problems) {
    Expression expression;
    try {
      expression = LANGUAGE.parseCondition(text, location);
    } catch (ExpressionException e) {
      problems.add(problem(e, location));
      return Optional.empty();
    }
    return compile(expression, problems) ? Optional.of(expression) : Optional.empty();
  }

  /** The variable paths an expression reads; empty when it did not compile. */
  List<List<String>> references(Expression expression) {
    CompiledExpression c = compiled.get(expression);
    return c == null ? List.of() : c.references();
  }

  private boolean compile(Expression expression, List<Problem> problems) {
    try {
      compiled.put(expression, LANGUAGE.compile(expression));
      return true;
    } catch (ExpressionException e) {
      problems.add(problem(e, expression.location()));
      return false;
    }
  }

  private static Problem problem(ExpressionException e, SourceLocation fallback) {
    SourceLocation at = e.location() == null ? fallback : e.location();
    return Problem.error(e.code(), at, e.getMessage());
  }
}
