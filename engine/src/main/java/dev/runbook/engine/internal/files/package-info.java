/**
 * The file actions {@code copy}, {@code backup} and {@code restore}: tree copies that keep modes,
 * times and symbolic links, checksummed backups with a manifest, and verified restores.
 *
 * <p>Entry point: {@link dev.runbook.engine.internal.files.FileActions}. Every operator-facing
 * failure is a {@link dev.runbook.engine.internal.files.FileActionException} with a one-line
 * message. Callers pass resolved, absolute paths; templates and relative paths are resolved before
 * these classes are reached.
 */
package dev.runbook.engine.internal.files;
