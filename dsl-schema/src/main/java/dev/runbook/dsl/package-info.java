/** The runbook DSL: loading, validation and the problems found. */
package dev.runbook.dsl;
