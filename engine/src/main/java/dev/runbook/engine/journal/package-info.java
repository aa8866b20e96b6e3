/**
 * The run journal: an append-only, checksummed, write-ahead record of every transition of a run,
 * and the per-user state directory it lives in.
 */
package dev.runbook.engine.journal;
