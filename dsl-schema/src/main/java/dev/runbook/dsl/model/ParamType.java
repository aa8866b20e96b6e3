package dev.runbook.dsl.model;

/** The type of a parameter's value. */
public enum ParamType {
  STRING,
  PATH,
  INT,
  BOOL
}
