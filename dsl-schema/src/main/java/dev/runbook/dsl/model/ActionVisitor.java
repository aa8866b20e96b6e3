package dev.runbook.dsl.model;

/**
 * One method per action kind.
 *
 * @param <R> what a visit returns
 */
public interface ActionVisitor<R> {
  R visitRun(Action.Run action);

  R visitExec(Action.Exec action);

  R visitHttp(Action.Http action);

  R visitCopy(Action.Copy action);

  R visitBackup(Action.Backup action);

  R visitRestore(Action.Restore action);

  R visitDocker(Action.Docker action);

  R visitWait(Action.Wait action);

  R visitConfirm(Action.Confirm action);

  R visitCall(Action.Call action);
}
