package dev.runbook.dsl;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one table of interpreters a {@code run} step may name in {@code shell:}: how each runs a
 * script, and whether a {@code ${{ }}} value can reach its script safely.
 *
 * <p>A shell is recognised by the last component of its name ({@code bash}, {@code
 * /usr/local/bin/bash}). {@code validate} reports a name that is not one program ({@link
 * #problem}); the engine builds the argv from {@link Kind#flags()}.
 *
 * <p>Only the POSIX shells and bash are {@linkplain Kind#posix() POSIX}: there a value reaches the
 * script as {@code ${RB_1}}, which they expand as a variable. zsh is deliberately not among them:
 * it does not split an unquoted {@code ${RB_1}} into words, so a value such as {@code systemctl
 * stop seqdesk} would not run as a command there.
 */
public final class Shells {
  /** The shell of a {@code run} step that names none. */
  public static final String DEFAULT_SHELL = "/bin/sh";

  /**
   * The prefix of the environment variables that carry {@code ${{ }}} values into a POSIX script:
   * the engine renders the nth as {@code ${RB_n}}, and validation names that variable in messages.
   */
  public static final String VARIABLE_PREFIX = "RB_";

  private static final Pattern PYTHON = Pattern.compile("python[0-9.]*");

  /** A family of interpreters that take the same flags. */
  public enum Kind {
    /** sh, dash, ash: {@code -e} stops at the first failure. */
    POSIX(true, false, List.of("-e", "-c")),
    /**
     * ksh, mksh: POSIX, with bash's arithmetic commands ({@code (( ))}, {@code let}, {@code [[}).
     */
    KORN(true, true, List.of("-e", "-c")),
    /**
     * bash: a failure inside a pipeline fails the step too ({@code pg_dump | gzip > f}); no {@code
     * ~/.bashrc} changes what runs at 2 a.m.
     */
    BASH(true, true, List.of("--noprofile", "--norc", "-e", "-o", "pipefail", "-c")),
    /** python, python3, python3.11: unbuffered, so output reaches the log live and in order. */
    PYTHON(false, false, List.of("-u", "-c")),
    /** perl, ruby, node: for these, {@code -c} only checks the syntax. */
    EVAL(false, false, List.of("-e")),
    /** Any other: the common convention. */
    OTHER(false, false, List.of("-c"));

    private final boolean posix;
    private final boolean arithmeticCommands;
    private final List<String> flags;

    Kind(boolean posix, boolean arithmeticCommands, List<String> flags) {
      this.posix = posix;
      this.arithmeticCommands = arithmeticCommands;
      this.flags = flags;
    }

    /**
     * True if it expands {@code ${NAME}} as a POSIX shell does, so a script may use {@code ${{ }}}.
     */
    public boolean posix() {
      return posix;
    }

    /**
     * True if it has {@code (( ))}, {@code let} and {@code [[ -eq ]]}, where a value is evaluated
     * as arithmetic (and a command in an array index such as {@code a[$(cmd)]} runs).
     */
    public boolean arithmeticCommands() {
      return arithmeticCommands;
    }

    /** The flags between the interpreter's name and the script; never empty. */
    public List<String> flags() {
      return flags;
    }
  }

  private Shells() {}

  /**
   * Why {@code shell} cannot be a {@code shell:}; empty when it can. A shell is one program name or
   * path: its flags are chosen by the engine, so {@code bash -x} is refused, not run as a program
   * named {@code bash -x}.
   */
  public static Optional<String> problem(String shell) {
    if (shell.isBlank()) {
      return Optional.of("`shell:` is empty");
    }
    if (shell.chars().anyMatch(Character::isWhitespace) || shell.indexOf('\0') >= 0) {
      return Optional.of(
          "`shell: "
              + shell
              + "` is a command line; `shell:` names one program (its flags are set by runbook)");
    }
    return Optional.empty();
  }

  /**
   * The kind of {@code shell}.
   *
   * @throws IllegalArgumentException if {@link #problem} finds one (validation reports it first)
   */
  public static Kind kind(String shell) {
    problem(shell)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    String base = shell.substring(shell.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    switch (base) {
      case "sh":
      case "dash":
      case "ash":
        return Kind.POSIX;
      case "ksh":
      case "mksh":
        return Kind.KORN;
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

  /** The kind of the shell a step names, or of the default shell. */
  public static Kind kind(Optional<String> shell) {
    return kind(shell.orElse(DEFAULT_SHELL));
  }
}
