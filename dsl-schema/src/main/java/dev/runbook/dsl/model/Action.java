package dev.runbook.dsl.model;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a step does: exactly one of the DSL's action kinds.
 *
 * <p>Handlers dispatch with {@link ActionVisitor}, so adding a kind breaks every place that must
 * handle it at compile time.
 */
public sealed interface Action {
  /** Where the action is written. */
  SourceLocation location();

  /** The DSL key of this kind ({@code run}, {@code exec}, ...). */
  String kind();

  /** Double dispatch over the action kinds. */
  <R> R accept(ActionVisitor<R> visitor);

  /**
   * A script run by a shell.
   *
   * @param shell the interpreter; empty means {@code /bin/sh -e -c}
   */
  record Run(Template script, Optional<String> shell, SourceLocation location) implements Action {
    @Override
    public String kind() {
      return "run";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitRun(this);
    }
  }

  /** A program and its arguments, no shell: each template is one argument. */
  record Exec(List<Template> argv, SourceLocation location) implements Action {
    public Exec {
      argv = List.copyOf(argv);
    }

    @Override
    public String kind() {
      return "exec";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitExec(this);
    }
  }

  /** An HTTP request with its expectations. */
  record Http(HttpSpec request, SourceLocation location) implements Action {
    @Override
    public String kind() {
      return "http";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitHttp(this);
    }
  }

  /** Copies a file or a directory tree, keeping modes and times. */
  record Copy(Template from, Template to, SourceLocation location) implements Action {
    @Override
    public String kind() {
      return "copy";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitCopy(this);
    }
  }

  /**
   * Copies paths into a backup directory and writes a checksummed manifest there.
   *
   * @param paths files or directories, relative to the step's working directory or absolute
   * @param to the backup directory
   */
  record Backup(List<Template> paths, Template to, SourceLocation location) implements Action {
    public Backup {
      paths = List.copyOf(paths);
    }

    @Override
    public String kind() {
      return "backup";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitBackup(this);
    }
  }

  /** Verifies a backup's manifest, then copies its contents back. */
  record Restore(Template from, Template to, SourceLocation location) implements Action {
    @Override
    public String kind() {
      return "restore";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitRestore(this);
    }
  }

  /** One Docker Engine operation. */
  record Docker(DockerOperation operation, SourceLocation location) implements Action {
    @Override
    public String kind() {
      return "docker";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitDocker(this);
    }
  }

  /**
   * Polls a check until it holds or the timeout passes.
   *
   * @param timeout a duration as written ({@code 2m}), or a {@code ${{ }}} expression that resolves
   *     to one when the step runs (an installation's own start-up time is a parameter)
   */
  record Wait(Check until, Template timeout, Duration interval, SourceLocation location)
      implements Action {
    @Override
    public String kind() {
      return "wait";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitWait(this);
    }
  }

  /** Asks the operator to confirm before the run goes on. */
  record Confirm(Template message, SourceLocation location) implements Action {
    @Override
    public String kind() {
      return "confirm";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitConfirm(this);
    }
  }

  /**
   * Runs another runbook.
   *
   * @param runbook the path as written, relative to the calling runbook's directory
   * @param target the resolved, normalized path of the called runbook
   * @param params values for the called runbook's parameters, in declaration order
   */
  record Call(
      String runbook,
      java.nio.file.Path target,
      Map<String, Template> params,
      SourceLocation location)
      implements Action {
    public Call {
      params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    @Override
    public String kind() {
      return "call";
    }

    @Override
    public <R> R accept(ActionVisitor<R> visitor) {
      return visitor.visitCall(this);
    }
  }
}
