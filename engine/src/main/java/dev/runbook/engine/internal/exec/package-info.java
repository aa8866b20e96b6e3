/** The executor's parts: run state, check and action runners. Not API. */
package dev.runbook.engine.internal.exec;
