package dev.runbook.dsl.model;

/** The state a path check expects. */
public enum PathState {
  EXISTS,
  FILE,
  DIR,
  ABSENT
}
