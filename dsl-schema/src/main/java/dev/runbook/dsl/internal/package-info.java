/**
 * The stages of the loader: YAML to a positioned JSON tree, JSON Schema validation, binding to the
 * model, semantic checks. Not API.
 */
package dev.runbook.dsl.internal;
