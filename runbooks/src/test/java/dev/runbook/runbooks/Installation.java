package dev.runbook.runbooks;

import dev.runbook.cli.CliProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a generic scenario ({@link FailAtEveryStep}, {@link KillAndResume}) needs of one
 * application's installation: where it lives, the runbook that upgrades it with its parameters, and
 * the command that runs it. The application's test says the rest: how to set one up fresh ({@link
 * Factory}), what state to compare ({@link Snapshot}) and how to make each step fail ({@link
 * Breakage}).
 */
public interface Installation extends AutoCloseable {
  /** The directory it lives in; the engine runs there. */
  Path root();

  /** The engine's state directory, inside the installation. */
  Path stateDir();

  /** The runbook that upgrades it. */
  Path runbook();

  /** The upgrade's parameters file. */
  Path paramsFile();

  /**
   * What every engine process of this installation gets in its environment (a secret parameter,
   * say); nothing unless the application says.
   */
  default Map<String, String> env() {
    return Map.of();
  }

  /** Stops what the installation runs and deletes it. */
  @Override
  void close();

  /** The arguments of {@code runbook run RUNBOOK --params-file PARAMS --state-dir STATE}. */
  default List<String> runArgs() {
    return List.of(
        "run",
        runbook().toString(),
        "--params-file",
        paramsFile().toString(),
        "--state-dir",
        stateDir().toString());
  }

  /** {@code runbook COMMAND ARGS --state-dir STATE}, in the installation's root. */
  default CliProcess.Result cli(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.add("--state-dir");
    argv.add(stateDir().toString());
    return CliProcess.run(root(), withEnv(env), argv.toArray(String[]::new));
  }

  /** The upgrade, run once to its end, with {@code env} added to the engine's environment. */
  default CliProcess.Result upgrade(Map<String, String> env)
      throws IOException, InterruptedException {
    return CliProcess.run(root(), withEnv(env), runArgs().toArray(String[]::new));
  }

  /** {@link #env()} with {@code extra} added (and winning). */
  default Map<String, String> withEnv(Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(env());
    all.putAll(extra);
    return all;
  }

  /** Sets up a fresh installation in a directory of its own, named {@code name}. */
  @FunctionalInterface
  interface Factory<I extends Installation> {
    I fresh(String name) throws Exception;
  }

  /** The state of an installation that scenarios compare: bytes, a database dump, versions. */
  @FunctionalInterface
  interface Snapshot<I extends Installation, S> {
    S of(I installation) throws Exception;
  }

  /** Makes one step fail; returns what to add to the engine's environment (often nothing). */
  @FunctionalInterface
  interface Breakage<I extends Installation> {
    Map<String, String> apply(I installation) throws Exception;
  }

  /**
   * What must hold of one installation after a scenario compared with before it (its logs kept and
   * grown, say), where a comparison with another installation cannot tell.
   */
  @FunctionalInterface
  interface Invariant<I extends Installation> {
    /** Notes the state before; the returned check runs after the scenario. */
    Check<I> before(I installation) throws Exception;

    /** Nothing to check. */
    static <I extends Installation> Invariant<I> none() {
      return i -> after -> {};
    }
  }

  /** The second half of an {@link Invariant}. */
  @FunctionalInterface
  interface Check<I extends Installation> {
    void after(I installation) throws Exception;
  }

  static String describe(CliProcess.Result result) {
    return "exit " + result.exitCode() + "\n" + result.stdout() + result.stderr();
  }
}
