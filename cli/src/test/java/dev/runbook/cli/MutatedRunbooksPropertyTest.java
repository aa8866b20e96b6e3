package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.dsl.model.Param;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * One truth about a runbook's text: whatever {@code validate} accepts, {@code plan --offline} and
 * {@code run} never refuse for a reason about the text (a located {@code FILE:LINE:COL: error:}),
 * and never fail with an internal error (exit 70).
 *
 * <p>Every runbook of the repository (the seed runbooks, the examples, the loader's valid cases) is
 * mutated: one scalar value is replaced with an adversarial one (zero, negative and overflowing
 * durations and sizes, a shell with flags, quotes, templates where numbers go, huge numbers, a
 * regular expression that backtracks without end), or a {@code shell:} with flags is added. The
 * command line runs in this JVM ({@link Main#run}). A {@code run} executes a neutralised copy of an
 * accepted mutant in a temp dir: scripts become {@code true}, absolute paths point into the temp
 * dir, the other durations become short; the mutated line is kept as it is. Seeded, so a failure
 * reproduces; bounded, each command in its own time limit.
 */
class MutatedRunbooksPropertyTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final List<Path> SEEDS = seeds();
  private static final Pattern SCALAR =
      Pattern.compile("^(\\s*(?:-\\s+)?)([a-z_]+):[ \\t]+([^|>#\\s].*)$");
  private static final Pattern DURATION = Pattern.compile("\\b[0-9]+(ms|s|m|h|d)\\b");
  private static final ExecutorService COMMANDS = Executors.newCachedThreadPool(daemon());

  private static final List<String> ADVERSARIAL =
      List.of(
          "0s",
          "0ms",
          "-1s",
          "9999999999999d",
          "99999999999999999999999d",
          "0",
          "-1",
          "99999999999999999999",
          "1e300",
          "0B",
          "99999999999999TiB",
          "\"bash -x\"",
          "\" \"",
          "\"\"",
          "\"'\"",
          "\"${{ run.id }}\"",
          "\"${{ env.RUNBOOK_SURELY_UNSET_VARIABLE }}\"",
          "\"echo '${{ run.id }}'\"",
          "\"echo \\\\${{ run.id }}\"",
          "\"(( ${{ run.id }} ))\"",
          "\"${{ matches('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', '(.*a){60}') }}\"",
          "\"${{ 1 / 0 }}\"",
          "\"${{ steps }}\"",
          "null",
          "true",
          "[]",
          "{}",
          "\"70000\"",
          "\"abc\"");

  /** A mutation: the seed, the line, the new value (or, for -1, an added {@code shell:}). */
  record Mutation(int seed, int line, int value) {}

  @Provide
  Arbitrary<Mutation> mutations() {
    return Combinators.combine(
            Arbitraries.integers().between(0, SEEDS.size() - 1),
            Arbitraries.integers().between(0, 10_000),
            Arbitraries.integers().between(-1, ADVERSARIAL.size() - 1))
        .as(Mutation::new);
  }

  @Property(tries = 60, seed = "20261207", shrinking = net.jqwik.api.ShrinkingMode.OFF)
  void whatValidateAcceptsPlanAndRunNeverRefuseForItsText(@ForAll("mutations") Mutation m)
      throws Exception {
    Path seed = SEEDS.get(m.seed());
    List<String> lines = Files.readAllLines(seed);
    List<Integer> sites = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (SCALAR.matcher(lines.get(i)).matches()) {
        sites.add(i);
      }
    }
    int site = sites.get(m.line() % sites.size());
    List<String> mutant = new ArrayList<>(lines);
    Matcher s = SCALAR.matcher(lines.get(site));
    s.matches();
    if (m.value() < 0) {
      String indent = s.group(1).replace('-', ' ');
      mutant.add(site + 1, indent + "shell: \"bash -x\"");
    } else {
      mutant.set(site, s.group(1) + s.group(2) + ": " + ADVERSARIAL.get(m.value()));
    }
    int mutatedLine = site;

    Path dir = Files.createTempDirectory("mutant");
    try {
      copySiblings(seed, dir);
      Path file = dir.resolve(seed.getFileName());
      Files.write(file, mutant);
      String what = seed + " line " + (site + 1) + " → " + mutant.get(site).strip();

      Outcome validate = cli(dir, "validate", file.toString());
      assertThat(validate.exit).as(what + "\n" + validate.err).isNotEqualTo(70);
      Statistics.label("validate").collect(validate.exit == 0 ? "accepted" : "refused");
      if (validate.exit != 0) {
        return;
      }
      List<String> params = params(file);
      Outcome plan = cli(dir, withParams(params, "plan", "--offline", file.toString()));
      assertAboutTheTextNever(what, "plan", plan, file);

      // run a neutralised copy, when it is still accepted (neutralising may touch the mutation)
      Files.write(file, neutralised(mutant, mutatedLine, dir));
      if (cli(dir, "validate", file.toString()).exit != 0) {
        Statistics.label("run").collect("neutralised copy refused");
        return;
      }
      Outcome run =
          cli(
              dir,
              withParams(
                  params,
                  "run",
                  "--yes",
                  "--on-failure",
                  "stop",
                  "--state-dir",
                  dir.resolve("state").toString(),
                  file.toString()));
      Statistics.label("run").collect("exit " + run.exit);
      assertAboutTheTextNever(what, "run", run, file);
    } finally {
      deleteTree(dir);
    }
  }

  @AfterContainer
  static void stopThreads() {
    COMMANDS.shutdownNow();
  }

  private static void assertAboutTheTextNever(String what, String command, Outcome o, Path file) {
    String all = o.out + o.err;
    assertThat(o.exit).as(what + ": " + command + "\n" + all).isNotEqualTo(70);
    assertThat(all)
        .as(what + ": " + command + " refused the text validate accepted")
        .doesNotContainPattern(Pattern.quote(file.toString()) + ":\\d+:\\d+: error:")
        .doesNotContain("internal error")
        .doesNotContain("this is a bug");
  }

  record Outcome(int exit, String out, String err) {}

  /** Runs one command line in this JVM, within a time limit. */
  private static Outcome cli(Path dir, String... args) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Future<Integer> exit =
        COMMANDS.submit(() -> Main.run(args, new PrintWriter(out), new PrintWriter(err)));
    try {
      return new Outcome(exit.get(30, TimeUnit.SECONDS), out.toString(), err.toString());
    } catch (TimeoutException e) {
      exit.cancel(true);
      throw new AssertionError(
          "`runbook " + String.join(" ", args) + "` did not finish in 30 s:\n" + out + err);
    }
  }

  private static String[] withParams(List<String> params, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(1, params);
    return all.toArray(String[]::new);
  }

  /** {@code -p name=value} for each parameter without a default, of its type. */
  private static List<String> params(Path file) {
    LoadResult load = new RunbookLoader().load(file);
    List<String> args = new ArrayList<>();
    for (Param p : load.runbook().orElseThrow().params().values()) {
      if (p.defaultValue().isPresent() || p.secret()) {
        continue;
      }
      String value =
          !p.allowed().isEmpty()
              ? p.allowed().get(0)
              : switch (p.type()) {
                case INT -> "1";
                case BOOL -> "true";
                case PATH -> "./param-path";
                case STRING -> "x";
              };
      args.add("-p");
      args.add(p.name() + "=" + value);
    }
    return args;
  }

  /**
   * The mutant with its side effects taken out, except on the mutated line: scripts and commands
   * become {@code true}, absolute paths point under {@code dir}, durations become 100ms.
   */
  static List<String> neutralised(List<String> mutant, int keep, Path dir) {
    List<String> out = new ArrayList<>();
    boolean inBlock = false;
    int blockIndent = 0;
    for (int i = 0; i < mutant.size(); i++) {
      String line = mutant.get(i);
      int indent = line.length() - line.stripLeading().length();
      if (inBlock && (line.isBlank() || indent > blockIndent)) {
        continue; // the rest of a script written as a block
      }
      inBlock = false;
      if (i == keep) {
        out.add(line);
        continue;
      }
      Matcher script =
          Pattern.compile("^(\\s*(?:-\\s+)?)(run|command|cmd):\\s*([|>][-+]?)?(.*)$").matcher(line);
      if (script.matches() && !script.group(4).startsWith("{")) {
        out.add(script.group(1) + script.group(2) + ": \"true\"");
        if (script.group(3) != null) {
          inBlock = true;
          blockIndent = indent + (script.group(1).contains("-") ? 2 : 0);
        }
        continue;
      }
      line = line.replaceAll("(?<=[\\s\"'\\[,:])/(?=[A-Za-z])", dir + "/root/");
      line = DURATION.matcher(line).replaceAll("100ms");
      out.add(line);
    }
    return out;
  }

  /** The seed's directory, so that the runbooks it calls by relative path are there too. */
  private static void copySiblings(Path seed, Path dir) throws IOException {
    Path from = seed.getParent();
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path to = dir.resolve(from.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
  }

  private static List<Path> seeds() {
    List<Path> seeds = new ArrayList<>();
    for (Path root :
        List.of(
            REPO.resolve("runbooks"),
            REPO.resolve("examples"),
            REPO.resolve("dsl-schema/src/test/resources/loader/valid"),
            REPO.resolve("cli/src/test/resources/plans"))) {
      try (Stream<Path> files = Files.walk(root)) {
        files
            .filter(f -> f.toString().endsWith(".yaml"))
            .filter(f -> !REPO.relativize(f).startsWith("runbooks/src"))
            .sorted()
            .forEach(seeds::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return List.copyOf(seeds);
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "mutant-cli");
      t.setDaemon(true);
      return t;
    };
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
