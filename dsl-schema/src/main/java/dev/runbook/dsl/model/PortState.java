package dev.runbook.dsl.model;

/** The state a port check expects. */
public enum PortState {
  OPEN,
  CLOSED
}
