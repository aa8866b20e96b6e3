package dev.runbook.engine.internal.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to run and where its output goes.
 *
 * <p>Build one with {@link #builder(List, Path, Path)}.
 *
 * @param command the argv; its first element is the program, looked up in the {@code PATH} of
 *     {@code environment} unless it contains a {@code /}. Never empty. Passed as is: no shell sees
 *     it.
 * @param workingDirectory the child's working directory; must exist
 * @param environment the child's complete environment: nothing is inherited from the engine
 * @param timeout how long the process may run before the runner ends its tree; empty for no limit
 * @param logFile where stdout and stderr are appended as they arrive, with the runner's own notes
 *     on lines starting {@code [runbook] }; created with mode 0600 if missing, narrowed to 0600 if
 *     wider; never followed if it is a symbolic link; its directory must exist
 * @param stdoutFile where stdout alone is written (truncated first), for capturing outputs; empty
 *     to skip
 * @param secrets values masked as {@code ***} in everything the runner writes or reports; empty
 *     strings are dropped
 * @param lineListener receives each output line for live progress; empty for none
 * @param gracePeriod how long processes have between TERM and KILL; 5 s unless set
 */
public record ProcessSpec(
    List<String> command,
    Path workingDirectory,
    Map<String, String> environment,
    Optional<Duration> timeout,
    Path logFile,
    Optional<Path> stdoutFile,
    Set<String> secrets,
    Optional<LineListener> lineListener,
    Duration gracePeriod) {

  /** The grace period between TERM and KILL unless a spec sets another. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(5);

  public ProcessSpec {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command must not be empty");
    }
    Objects.requireNonNull(workingDirectory, "workingDirectory");
    environment = Map.copyOf(environment);
    Objects.requireNonNull(timeout, "timeout");
    timeout.ifPresent(t -> requirePositive(t, "timeout"));
    Objects.requireNonNull(logFile, "logFile");
    Objects.requireNonNull(stdoutFile, "stdoutFile");
    Set<String> nonEmpty = new LinkedHashSet<>();
    for (String secret : secrets) {
      if (!secret.isEmpty()) {
        nonEmpty.add(secret);
      }
    }
    secrets = Set.copyOf(nonEmpty);
    Objects.requireNonNull(lineListener, "lineListener");
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    if (gracePeriod.isNegative()) {
      throw new IllegalArgumentException("gracePeriod must not be negative: " + gracePeriod);
    }
  }

  private static void requirePositive(Duration d, String what) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
  }

  /** The program: the first element of the argv. */
  public String program() {
    return command.get(0);
  }

  /**
   * Starts a spec with an empty environment, no timeout, no stdout file, no secrets, no listener
   * and the default grace period.
   */
  public static Builder builder(List<String> command, Path workingDirectory, Path logFile) {
    return new Builder(command, workingDirectory, logFile);
  }

  /** Collects a spec's optional parts; not thread-safe. */
  public static final class Builder {
    private final List<String> command;
    private final Path workingDirectory;
    private final Path logFile;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Duration timeout;
    private Path stdoutFile;
    private final Set<String> secrets = new LinkedHashSet<>();
    private LineListener lineListener;
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;

    private Builder(List<String> command, Path workingDirectory, Path logFile) {
      this.command = new ArrayList<>(command);
      this.workingDirectory = workingDirectory;
      this.logFile = logFile;
    }

    /** Replaces the environment with a copy of {@code environment}. */
    public Builder environment(Map<String, String> environment) {
      this.environment.clear();
      this.environment.putAll(environment);
      return this;
    }

    /** Sets the timeout; null for none. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Sets the stdout file; null for none. */
    public Builder stdoutFile(Path stdoutFile) {
      this.stdoutFile = stdoutFile;
      return this;
    }

    /** Adds values to mask. */
    public Builder secrets(Set<String> secrets) {
      this.secrets.addAll(secrets);
      return this;
    }

    /** Sets the line listener; null for none. */
    public Builder lineListener(LineListener lineListener) {
      this.lineListener = lineListener;
      return this;
    }

    /** Sets the time between TERM and KILL. */
    public Builder gracePeriod(Duration gracePeriod) {
      this.gracePeriod = gracePeriod;
      return this;
    }

    public ProcessSpec build() {
      return new ProcessSpec(
          command,
          workingDirectory,
          environment,
          Optional.ofNullable(timeout),
          logFile,
          Optional.ofNullable(stdoutFile),
          secrets,
          Optional.ofNullable(lineListener),
          gracePeriod);
    }
  }
}
