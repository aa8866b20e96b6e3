/**
 * Rehearsals ({@code runbook test}): a runbook run on a staging copy of the system, once cleanly,
 * once with a failure injected after each step that changes something, and killed at seeded moments
 * then resumed, each trial's end state compared with what it must be. The trials run the real
 * command line as child processes, as an operator would.
 */
package dev.runbook.engine.rehearsal;
