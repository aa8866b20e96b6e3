package dev.runbook.dsl.model;

/**
 * One method per check kind.
 *
 * @param <R> what a visit returns
 */
public interface CheckVisitor<R> {
  R visitCommand(Check.Command check);

  R visitPath(Check.Path check);

  R visitHttp(Check.Http check);

  R visitPort(Check.Port check);

  R visitDiskFree(Check.DiskFree check);

  R visitDocker(Check.Docker check);

  R visitExpr(Check.Expr check);
}
