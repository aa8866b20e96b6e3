package dev.runbook.engine.internal.process;

import java.util.List;

/** Told what becomes of the processes an action starts, for the journal and the operator. */
public interface ProcessWatch {
  /** A process started: right after it did, before the action waits for it. */
  void started(StartedProcess process);

  /** The command exited leaving these processes running, and the runner ended them. */
  default void leftBehind(List<ProcessResult.Left> processes) {}
}
