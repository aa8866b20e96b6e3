package dev.runbook.dsl.model;

import java.util.Optional;

/**
 * A read-only test of the system: used by preconditions, requires, verify and wait.
 *
 * <p>Checks must not change anything, which is why {@code plan} may evaluate them.
 */
public sealed interface Check {
  /** The name the runbook gives the check; empty means a generated one. */
  Optional<String> name();

  /** Where the check is written. */
  SourceLocation location();

  /** The DSL key of this kind ({@code command}, {@code path}, ...). */
  String kind();

  /** Double dispatch over the check kinds. */
  <R> R accept(CheckVisitor<R> visitor);

  /**
   * A shell command that must exit 0.
   *
   * @param cwd working directory; empty means the runbook's directory
   * @param timeout limit for the command; empty means the engine's default for checks
   */
  record Command(
      Optional<String> name,
      Template command,
      Optional<Template> cwd,
      Optional<java.time.Duration> timeout,
      SourceLocation location)
      implements Check {
    @Override
    public String kind() {
      return "command";
    }

    @Override
    public <R> R accept(CheckVisitor<R> visitor) {
      return visitor.visitCommand(this);
    }
  }

  /** A path in a given state. */
  record Path(Optional<String> name, Template at, PathState is, SourceLocation location)
      implements Check {
    @Override
    public String kind() {
      return "path";
    }

    @Override
    public <R> R accept(CheckVisitor<R> visitor) {
      return visitor.visitPath(this);
    }
  }

  /** An HTTP endpoint answering as expected. */
  record Http(Optional<String> name, HttpSpec request, SourceLocation location) implements Check {
    @Override
    public String kind() {
      return "http";
    }

    @Override
    public <R> R accept(CheckVisitor<R> visitor) {
      return visitor.visitHttp(this);
    }
  }

  /**
   * A TCP port open or closed.
   *
   * @param port a number, or a template that resolves to one
   */
  record Port(
      Optional<String> name, Template host, Template port, PortState is, SourceLocation location)
      implements Check {
    @Override
    public String kind() {
      return "port";
    }

    @Override
    public <R> R accept(CheckVisitor<R> visitor) {
      return visitor.visitPort(this);
    }
  }

  /** At least {@code minBytes} free on the file system holding {@code path}. */
  record DiskFree(Optional<String> name, Template path, long minBytes, SourceLocation location)
      implements Check {
    @Override
    public String kind() {
      return "disk_free";
    }

    @Override
    public <R> R accept(CheckVisitor<R> visitor) {
      return visitor.visitDiskFree(this);
    }
  }

  /**
   * A container in a given state, or an image present.
   *
   * @param container the container's name; empty when an image is checked
   * @param image a tag or digest; empty when a container is checked
   * @param is the container's expected state; ignored for an image
   */
  record Docker(
      Optional<String> name,
      Optional<Template> container,
      Optional<Template> image,
      ContainerState is,
      SourceLocation location)
      implements Check {
    @Override
    public String kind() {
      return "docker";
    }

    @Override
    public <R> R accept(CheckVisitor<R> visitor) {
      return visitor.visitDocker(this);
    }
  }

  /** An expression that must be true. */
  record Expr(Optional<String> name, Expression expression, SourceLocation location)
      implements Check {
    @Override
    public String kind() {
      return "expr";
    }

    @Override
    public <R> R accept(CheckVisitor<R> visitor) {
      return visitor.visitExpr(this);
    }
  }
}
