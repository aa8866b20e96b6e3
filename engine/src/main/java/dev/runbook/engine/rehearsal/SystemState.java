package dev.runbook.engine.rehearsal;

import dev.runbook.dsl.model.StateSpec;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.Plan;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.render.RenderedScript;
import dev.runbook.engine.internal.render.ShellTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a rehearsal compares, resolved for one set of parameters: the runbook's {@code state:} and
 * what the command line adds. Takes {@link StateSnapshot}s of the system.
 *
 * @param paths absolute, normalized; a directory stands for everything below it
 * @param commands whose standard output and exit status are compared
 * @param base the directory paths are shown relative to
 */
public record SystemState(List<Path> paths, List<ShellCommand> commands, Path base) {
  static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

  public SystemState {
    paths = List.copyOf(paths);
    commands = List.copyOf(commands);
  }

  /**
   * The runbook's {@code state:} with {@code plan}'s parameters, plus {@code extraPaths} and {@code
   * extraCommands} from the command line (relative to {@code cwd}, where those commands run).
   */
  public static SystemState of(
      Plan plan,
      Map<String, String> environment,
      List<String> extraPaths,
      List<String> extraCommands,
      Path cwd) {
    Path base = plan.runbook().file().getParent();
    RunState values = values(plan, environment);
    List<Path> paths = new ArrayList<>();
    List<ShellCommand> commands = new ArrayList<>();
    Optional<StateSpec> spec = plan.runbook().state();
    if (spec.isPresent()) {
      for (Template t : spec.get().paths()) {
        paths.add(base.resolve(values.resolve(t, Map.of())).normalize());
      }
      for (Template t : spec.get().commands()) {
        commands.add(command(t, values, environment, base));
      }
    }
    extraPaths.forEach(p -> paths.add(cwd.resolve(p).toAbsolutePath().normalize()));
    extraCommands.forEach(c -> commands.add(literal(c, environment, cwd)));
    if (paths.isEmpty() && commands.isEmpty()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "nothing to compare: " + plan.runbook().file() + " has no `state:` and none was given",
          "declare `state: { paths: [...], commands: [...] }` in the runbook, or give"
              + " --state-path / --state-command");
    }
    return new SystemState(paths, commands, base);
  }

  /**
   * The command that brings the staging copy back to its start: {@code given} (the command line's,
   * run in {@code cwd}), else the runbook's {@code state.reset} (run in its directory).
   */
  public static Optional<ShellCommand> reset(
      Plan plan, Map<String, String> environment, Optional<String> given, Path cwd) {
    if (given.isPresent()) {
      return Optional.of(literal(given.get(), environment, cwd));
    }
    Path base = plan.runbook().file().getParent();
    return plan.runbook()
        .state()
        .flatMap(StateSpec::reset)
        .map(t -> command(t, values(plan, environment), environment, base));
  }

  private static RunState values(Plan plan, Map<String, String> environment) {
    RunState values = new RunState(plan.params(), environment, "rehearsal", Path.of("."));
    values.resolveRunbookEnv(plan.runbook().env());
    return values;
  }

  private static ShellCommand command(
      Template t, RunState values, Map<String, String> environment, Path dir) {
    RenderedScript script = ShellTemplate.render(t, values.bindings(Map.of(), List.of()));
    Map<String, String> env = new LinkedHashMap<>(values.childEnvironment(Map.of()));
    env.putAll(script.environment());
    return new ShellCommand(script.display().strip(), script.script(), env, dir);
  }

  private static ShellCommand literal(String script, Map<String, String> environment, Path dir) {
    return new ShellCommand(script, script, environment, dir);
  }

  /** The state now. */
  public StateSnapshot snapshot() throws IOException, InterruptedException {
    Map<String, String> entries = new LinkedHashMap<>();
    for (Path path : paths) {
      walk(path, entries);
    }
    for (ShellCommand c : commands) {
      ShellCommand.Result r = c.run(COMMAND_TIMEOUT);
      entries.put(
          StateSnapshot.COMMAND + "`" + c.display() + "`",
          r.stdout()
              + (r.stdout().endsWith("\n") || r.stdout().isEmpty() ? "" : "\n")
              + "[exit "
              + r.exitCode()
              + "]");
    }
    return new StateSnapshot(entries);
  }

  private void walk(Path root, Map<String, String> entries) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return; // absent: no entry, so that it shows as missing or appeared
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            entries.put(key(dir), describe(dir));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            entries.put(key(file), describe(file));
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private String key(Path p) {
    return StateSnapshot.PATH + (p.startsWith(base) ? base.relativize(p).toString() : p.toString());
  }

  /**
   * {@code KIND mode=M owner=U:G [size=N sha256=H | target=T]}: what {@link StateSnapshot} reads.
   */
  private static String describe(Path p) throws IOException {
    PosixFileAttributes a =
        Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    String common =
        " mode="
            + PosixFilePermissions.toString(a.permissions())
            + " owner="
            + a.owner().getName()
            + ":"
            + a.group().getName();
    if (a.isSymbolicLink()) {
      return "link" + common + " target=" + Files.readSymbolicLink(p);
    }
    if (a.isDirectory()) {
      return "dir" + common;
    }
    if (!a.isRegularFile()) {
      return "other" + common;
    }
    return "file" + common + " size=" + a.size() + " sha256=" + sha256(p);
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
