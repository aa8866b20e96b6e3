package dev.runbook.engine.internal.process;

import dev.runbook.dsl.Shells;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the argv of a {@code run} step: its script handed to a shell (or another interpreter) as
 * one argument, never through a file and never re-parsed by anything else.
 *
 * <p>Without a {@code shell:}, the script runs as {@code /bin/sh -e -c SCRIPT}; a named shell gets
 * the flags of its {@linkplain Shells.Kind kind} from the DSL's one table of shells, {@link
 * Shells}.
 */
public final class ShellScript {
  /** The shell of a {@code run} step that names none. */
  public static final String DEFAULT_SHELL = Shells.DEFAULT_SHELL;

  private ShellScript() {}

  /** The argv that runs {@code script} with the default shell. */
  public static List<String> argv(String script) {
    return argv(Optional.empty(), script);
  }

  /**
   * The argv that runs {@code script} with {@code shell}, or with the default shell if empty.
   *
   * @param shell a program name (looked up in the child's {@code PATH}) or a path
   * @throws IllegalArgumentException if {@code shell} is not one program ({@link Shells#problem},
   *     which validation reports before any run)
   */
  public static List<String> argv(Optional<String> shell, String script) {
    String name = shell.orElse(DEFAULT_SHELL);
    List<String> argv = new ArrayList<>();
    argv.add(name);
    argv.addAll(Shells.kind(name).flags());
    argv.add(script);
    return List.copyOf(argv);
  }

  /**
   * True if {@code shell} expands {@code ${NAME}} as a POSIX shell does (so {@code ${{ }}} may
   * appear in a script for it); false for python and any shell not known here.
   */
  public static boolean isPosix(String shell) {
    return Shells.kind(shell).posix();
  }
}
