package dev.runbook.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a plan was made from, so a saved plan can refuse to run when it changed.
 *
 * @param runbooks SHA-256 of each runbook file (the main one and those it calls), by path
 * @param params SHA-256 of the non-secret parameters' names and values; secrets are never hashed
 */
public record PlanDigest(Map<String, String> runbooks, String params) {
  public PlanDigest {
    runbooks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runbooks));
  }
}
