/**
 * Turns templates into what the engine hands to processes and shows to operators, without letting a
 * value become syntax.
 *
 * <p>{@link dev.runbook.engine.internal.render.ShellTemplate} renders a {@code run} script for a
 * POSIX shell: values travel in the environment as {@code RB_1}, {@code RB_2}, … and the script
 * expands them as {@code ${RB_n}}, so the shell never parses a value (DESIGN, "How a value reaches
 * a shell"). {@link dev.runbook.engine.internal.render.ValueTemplate} renders everything else (a
 * path, a URL, one {@code exec} argument) to one string, which no shell sees.
 *
 * <p>Both give two forms: the one the engine uses and a display form for {@code plan} and progress
 * output, in which a value read from a secret is {@code ***} and one that a pending step produces
 * is {@code <known after `STEP` runs>}. The {@link dev.runbook.engine.internal.render.Bindings} say
 * which is which. The form for use refuses to exist while a value is unknown, so that a script or
 * path with a hole in it can never run.
 *
 * <p>Rendering evaluates expressions with {@link
 * dev.runbook.dsl.expr.ExpressionLanguage#standard()} and lets its {@link
 * dev.runbook.dsl.expr.ExpressionException} through: whoever renders knows the step and the phase
 * to report it in.
 */
package dev.runbook.engine.internal.render;
