/**
 * What a secret looks like in text, and masking it there.
 *
 * <p>{@link dev.runbook.engine.internal.secret.SecretRenderings} derives, once, every form in which
 * a secret can appear in what the engine writes or reads back: as it is, escaped for JSON or a Java
 * or shell string, URL-encoded, one line of it. {@link dev.runbook.engine.internal.secret.Masking}
 * holds the forms of a run's secrets and masks them all, in a message or (through the process
 * package's stream masker) in a child's output: masking a form the engine did not think of is
 * nowhere a special case.
 */
package dev.runbook.engine.internal.secret;
