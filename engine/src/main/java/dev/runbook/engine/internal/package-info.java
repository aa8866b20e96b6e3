/**
 * The engine's implementation: not API, free to change between versions.
 *
 * <p>Other modules use the engine through {@code dev.runbook.engine}; only the engine's own
 * packages may use what is here.
 */
package dev.runbook.engine.internal;
