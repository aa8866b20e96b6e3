/**
 * The {@code ${{ }}} expression language: templates, a sandboxed JEXL, and how values become text.
 *
 * <p>{@link dev.runbook.dsl.expr.ExpressionLanguage} is the entry point: it splits a runbook scalar
 * into a {@link dev.runbook.dsl.model.Template}, compiles each {@link
 * dev.runbook.dsl.model.Expression} into a {@link dev.runbook.dsl.expr.CompiledExpression} (whose
 * {@code references()} the loader checks against the runbook's params, steps and outputs), and
 * renders values as text. Every user mistake surfaces as an {@link
 * dev.runbook.dsl.expr.ExpressionException} with a location and a one-line message. {@link
 * dev.runbook.dsl.expr.ExpressionFunctions} lists the functions expressions may call.
 *
 * <p>Depends on the model and JEXL only.
 */
package dev.runbook.dsl.expr;
