package dev.runbook.engine.internal.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds the argv of a {@code run} step: its script handed to a shell (or another interpreter) as
 * one argument, never through a file and never re-parsed by anything else.
 *
 * <p>Without a {@code shell:}, the script runs as {@code /bin/sh -e -c SCRIPT}. A named shell is
 * recognised by the last component of its name ({@code bash}, {@code /usr/local/bin/bash}) and gets
 * the flags that make it stop at the first failing command and ignore the operator's personal
 * start-up files:
 *
 * <table>
 *   <caption>Argv per shell</caption>
 *   <tr><th>{@code shell:}</th><th>argv</th><th>why</th></tr>
 *   <tr><td>(none)</td><td>{@code /bin/sh -e -c SCRIPT}</td><td>the design's default</td></tr>
 *   <tr><td>{@code sh}, {@code dash}, {@code ash}, {@code ksh}, {@code mksh}</td>
 *       <td>{@code NAME -e -c SCRIPT}</td><td>POSIX: {@code -e} stops at the first failure</td></tr>
 *   <tr><td>{@code bash}</td>
 *       <td>{@code NAME --noprofile --norc -e -o pipefail -c SCRIPT}</td>
 *       <td>a failure inside a pipeline fails the step too ({@code pg_dump | gzip > f});
 *       no {@code ~/.bashrc} changes what runs at 2 a.m.</td></tr>
 *   <tr><td>{@code python}, {@code python3}, {@code python3.11}, …</td>
 *       <td>{@code NAME -u -c SCRIPT}</td>
 *       <td>unbuffered, so output reaches the log live and in order with stderr</td></tr>
 *   <tr><td>{@code perl}, {@code ruby}, {@code node}</td><td>{@code NAME -e SCRIPT}</td>
 *       <td>for these, {@code -c} only checks the syntax</td></tr>
 *   <tr><td>any other</td><td>{@code NAME -c SCRIPT}</td><td>the common convention</td></tr>
 * </table>
 *
 * <p>Only the POSIX shells and bash are {@linkplain #isPosix(String) POSIX}: there a value reaches
 * the script as {@code ${RB_1}}, which they expand as a variable. zsh is deliberately not among
 * them: it does not split an unquoted {@code ${RB_1}} into words, so a value such as {@code
 * systemctl stop seqdesk} would not run as a command there.
 */
public final class ShellScript {
  /** The shell of a {@code run} step that names none. */
  public static final String DEFAULT_SHELL = "/bin/sh";

  private static final Pattern PYTHON = Pattern.compile("python[0-9.]*");

  private enum Kind {
    POSIX(true),
    BASH(true),
    PYTHON(false),
    EVAL(false),
    OTHER(false);

    final boolean posix;

    Kind(boolean posix) {
      this.posix = posix;
    }
  }

  private ShellScript() {}

  /** The argv that runs {@code script} with the default shell. */
  public static List<String> argv(String script) {
    return argv(Optional.empty(), script);
  }

  /**
   * The argv that runs {@code script} with {@code shell}, or with the default shell if empty.
   *
   * @param shell a program name (looked up in the child's {@code PATH}) or a path
   * @throws IllegalArgumentException if {@code shell} is blank or holds whitespace (it names one
   *     program; flags are chosen here)
   */
  public static List<String> argv(Optional<String> shell, String script) {
    String name = shell.orElse(DEFAULT_SHELL);
    List<String> flags =
        switch (kind(name)) {
          case POSIX -> List.of("-e", "-c");
          case BASH -> List.of("--noprofile", "--norc", "-e", "-o", "pipefail", "-c");
          case PYTHON -> List.of("-u", "-c");
          case EVAL -> List.of("-e");
          case OTHER -> List.of("-c");
        };
    List<String> argv = new ArrayList<>();
    argv.add(name);
    argv.addAll(flags);
    argv.add(script);
    return List.copyOf(argv);
  }

  /**
   * True if {@code shell} expands {@code ${NAME}} as a POSIX shell does (so {@code ${{ }}} may
   * appear in a script for it); false for python and any shell not known here.
   */
  public static boolean isPosix(String shell) {
    return kind(shell).posix;
  }

  private static Kind kind(String shell) {
    if (shell.isBlank() || shell.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "a shell is one program name or path, without flags: `" + shell + "`");
    }
    String base = shell.substring(shell.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    switch (base) {
      case "sh":
      case "dash":
      case "ash":
      case "ksh":
      case "mksh":
        return Kind.POSIX;
      case "bash":
        return Kind.BASH;
      case "perl":
      case "ruby":
      case "node":
        return Kind.EVAL;
      default:
        return PYTHON.matcher(base).matches() ? Kind.PYTHON : Kind.OTHER;
    }
  }
}
