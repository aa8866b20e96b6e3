package dev.runbook.dsl.model;

/** The state a docker check expects of a container. */
public enum ContainerState {
  EXISTS,
  RUNNING,
  HEALTHY,
  STOPPED,
  ABSENT
}
