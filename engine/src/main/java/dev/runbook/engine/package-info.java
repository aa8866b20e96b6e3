/** The engine: plans a validated runbook and executes the plan. */
package dev.runbook.engine;
