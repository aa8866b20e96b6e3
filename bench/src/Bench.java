import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The runbook benchmark's driver; run it through {@code bench/run}, which builds what it needs and
 * passes the paths below.
 *
 * <pre>
 * java bench/src/Bench.java --root DIR --work DIR --measure BIN --floor BIN
 *     [--quick] [--reps N] [--ansible] [--only SECTIONS]
 * </pre>
 *
 * <p>Every scenario runs once as a warm-up, then {@code reps} times; the variants of a section run
 * interleaved (one of each per round), so that a change of load on the machine hits them all
 * alike. It reports the median and the range of the wall time, the CPU time (user + system of the
 * process and its children: less sensitive to other load on the machine than the wall time) and
 * ratios between figures measured in the same run. It asserts nothing: a target missed is printed
 * as such.
 */
public final class Bench {
  private static final double GIB = 1024.0 * 1024 * 1024;

  private final Path root;
  private final Path work;
  private final Path measure;
  private final Path floor;
  private final boolean quick;
  private final int reps;
  private final boolean ansible;
  private final List<String> only;
  private final StringBuilder report = new StringBuilder();
  private int seq;

  private Bench(Map<String, String> opts) {
    root = Path.of(opts.get("root"));
    work = Path.of(opts.get("work"));
    measure = Path.of(opts.get("measure"));
    floor = Path.of(opts.get("floor"));
    quick = opts.containsKey("quick");
    reps = Integer.parseInt(opts.getOrDefault("reps", quick ? "2" : "5"));
    ansible = opts.containsKey("ansible");
    only =
        opts.containsKey("only")
            ? Arrays.asList(opts.get("only").split(","))
            : List.of("steps", "start", "scale", "profile");
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String name = a.substring(2);
      if (List.of("quick", "ansible").contains(name)) {
        opts.put(name, "true");
      } else {
        opts.put(name, args[++i]);
      }
    }
    new Bench(opts).run();
  }

  // ---------------------------------------------------------------- measuring

  /** One measured run of a command. */
  record Sample(double wall, double cpu, long rssKib, int exit) {}

  /** Runs {@code command} under the measure helper; its stdout goes to {@code stdout}. */
  private Sample measure(List<String> command, Path stdout, Map<String, String> env) {
    Path result = work.resolve("measure-" + (seq++) + ".txt");
    Path stderr = work.resolve("last-stderr.txt");
    List<String> argv = new ArrayList<>(List.of(measure.toString(), result.toString()));
    argv.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectOutput(
                stdout == null
                    ? ProcessBuilder.Redirect.DISCARD
                    : ProcessBuilder.Redirect.to(stdout.toFile()))
            .redirectError(stderr.toFile());
    pb.environment().putAll(env);
    try {
      int code = pb.start().waitFor();
      if (code != 0) {
        throw new IllegalStateException(
            "the measure helper failed on " + command + ": " + Files.readString(stderr));
      }
      String[] f = Files.readString(result).trim().split(" ");
      Files.delete(result);
      return new Sample(
          Double.parseDouble(f[0]),
          Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
          Long.parseLong(f[3]),
          Integer.parseInt(f[4]));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Sample measure(List<String> command) {
    return measure(command, null, Map.of());
  }

  /** Runs a command that must succeed, unmeasured (set-up work); returns its stdout. */
  private String sh(List<String> command, Path dir) {
    try {
      Path out = work.resolve("sh-out.txt");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile());
      int code = pb.start().waitFor();
      String text = Files.readString(out);
      if (code != 0) {
        throw new IllegalStateException(command + " exited " + code + ":\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void check(Sample s, int expectedExit, String what) {
    if (s.exit() != expectedExit) {
      throw new IllegalStateException(
          what + " exited " + s.exit() + ", expected " + expectedExit + " (see last-stderr.txt)");
    }
  }

  /** Median and range of one figure over the samples. */
  record Stat(double median, double min, double max) {
    static Stat of(List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int n = v.length;
      double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
      return new Stat(median, v[0], v[n - 1]);
    }

    String seconds() {
      return String.format(Locale.ROOT, "%.3f s [%.3f–%.3f]", median, min, max);
    }

    String millis() {
      return String.format(
          Locale.ROOT, "%.2f ms [%.2f–%.2f]", median * 1000, min * 1000, max * 1000);
    }
  }

  private static Stat wall(List<Sample> s) {
    return Stat.of(s.stream().map(Sample::wall).toList());
  }

  private static Stat cpu(List<Sample> s) {
    return Stat.of(s.stream().map(Sample::cpu).toList());
  }

  private static Stat rss(List<Sample> s) {
    return Stat.of(s.stream().map(x -> (double) x.rssKib()).toList());
  }

  /** Runs each variant once as a warm-up, then {@code rounds} times, interleaved. */
  private Map<String, List<Sample>> rounds(int rounds, Map<String, Variant> variants) {
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    for (int round = 0; round <= rounds; round++) {
      for (Map.Entry<String, Variant> v : variants.entrySet()) {
        Sample s = v.getValue().run(round);
        if (round > 0) {
          samples.get(v.getKey()).add(s);
        }
      }
    }
    return samples;
  }

  @FunctionalInterface
  interface Variant {
    Sample run(int round);
  }

  // ---------------------------------------------------------------- report

  private void say(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    System.out.println(line);
    System.out.flush();
    report.append(line).append('\n');
  }

  private static String verdict(boolean met) {
    return met ? "target met" : "TARGET MISSED";
  }

  // ---------------------------------------------------------------- the run

  private void run() throws Exception {
    Files.createDirectories(work);
    long start = System.nanoTime();
    say("# runbook benchmark%s", quick ? " (--quick: smaller sizes, fewer rounds)" : "");
    say("");
    say("machine: %s", machine());
    say("java: %s", javaVersion());
    say("load average at start: %s", loadAverage());
    say("rounds: 1 warm-up + %d measured per scenario, variants interleaved", reps);
    say("figures: median [min–max]; cpu = user + system of the process and its children");
    if (only.contains("steps")) {
      perStep();
    }
    if (only.contains("start")) {
      coldStart();
    }
    if (only.contains("scale")) {
      scale();
    }
    if (only.contains("profile")) {
      profile();
    }
    say("");
    say("load average at end: %s", loadAverage());
    say(
        "benchmark took %.0f s",
        (System.nanoTime() - start) / 1e9);
    Files.writeString(work.resolve("report.txt"), report.toString());
  }

  private String machine() throws IOException {
    String cpu = "?";
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        cpu = line.substring(line.indexOf(':') + 1).trim();
        break;
      }
    }
    long memKib = 0;
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        memKib = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return String.format(
        Locale.ROOT,
        "%d cores (nproc), %s, %.1f GiB memory, %s",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memKib / 1024.0 / 1024.0,
        sh(List.of("uname", "-sr"), work).trim());
  }

  private String javaVersion() {
    return sh(List.of("java", "-version"), work).lines().skip(1).findFirst().orElse("?").trim();
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
    return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
  }

  private Path runbookLauncher() {
    return root.resolve("bin/runbook");
  }

  private List<String> runbook(String... args) {
    List<String> cmd = new ArrayList<>(List.of(runbookLauncher().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** A runbook of {@code n} steps, each {@code step} (a YAML flow mapping without its id). */
  private Path stepsRunbook(String name, int n, String step, String last) throws IOException {
    Path file = work.resolve(name + ".yaml");
    StringBuilder y = new StringBuilder();
    y.append("schema: runbook/v1\nname: ").append(name).append("\non_failure: stop\nsteps:\n");
    for (int i = 1; i <= n; i++) {
      String body = i == n && last != null ? last : step;
      y.append("  - { id: s").append(i).append(", ").append(body).append(" }\n");
    }
    Files.writeString(file, y);
    return file;
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- 1. per-step overhead

  private void perStep() throws IOException {
    int[] sizes = quick ? new int[] {1, 50} : new int[] {1, 100, 1000};
    say("");
    say("## 1. Per-step overhead: N steps of `run: \"true\"`");
    say("");
    say("runbook: `bin/runbook run steps-N.yaml --state-dir <tmp>` (a fresh state dir each time)");
    say("C floor: per step, append + fdatasync a line, posix_spawn `sh -c true`, wait, append +");
    say("  fdatasync a line (bench/src/floor.c); Java floor: the same with FileChannel.force and");
    say("  ProcessBuilder (`java bench/src/Floor.java`); C floor, session per step: the C floor");
    say("  spawning `setsid -- sh -c true`, the second exec a JVM pays to start a step in a session");
    say("  of its own (as runbook does)");
    Map<String, Variant> variants = new LinkedHashMap<>();
    Path journal = work.resolve("floor-journal.jsonl");
    for (int n : sizes) {
      Path file = stepsRunbook("steps-" + n, n, "run: \"true\"", null);
      variants.put(
          "runbook N=" + n,
          round -> {
            Path state = work.resolve("state-steps");
            deleteTree(state);
            Sample s = measure(runbook("run", file.toString(), "--state-dir", state.toString()));
            check(s, 0, "runbook run of " + n + " steps");
            deleteTree(state);
            return s;
          });
      variants.put(
          "C floor N=" + n,
          round -> measure(List.of(floor.toString(), Integer.toString(n), journal.toString())));
      variants.put(
          "C floor, session per step N=" + n,
          round ->
              measure(
                  List.of(floor.toString(), Integer.toString(n), journal.toString(), "setsid")));
      variants.put(
          "Java floor N=" + n,
          round ->
              measure(
                  List.of(
                      "java",
                      root.resolve("bench/src/Floor.java").toString(),
                      Integer.toString(n),
                      journal.toString())));
    }
    Map<String, List<Sample>> samples = rounds(reps, variants);
    Map<String, List<Sample>> ansibleSamples = new LinkedHashMap<>();
    int[] ansibleSizes = quick ? new int[] {1, 5} : new int[] {1, 25};
    boolean haveAnsible = hasCommand("ansible-playbook");
    if (haveAnsible) {
      Map<String, Variant> a = new LinkedHashMap<>();
      for (int n : ansibleSizes) {
        Path play = work.resolve("play-" + n + ".yml");
        StringBuilder y = new StringBuilder("- hosts: localhost\n  gather_facts: false\n  tasks:\n");
        for (int i = 1; i <= n; i++) {
          y.append("    - name: s").append(i).append("\n      command: /bin/true\n");
        }
        Files.writeString(play, y);
        a.put(
            "ansible N=" + n,
            round -> {
              Sample s =
                  measure(
                      List.of("ansible-playbook", "-c", "local", "-i", "localhost,", play.toString()),
                      null,
                      Map.of("ANSIBLE_NOCOLOR", "1", "ANSIBLE_RETRY_FILES_ENABLED", "0"));
              check(s, 0, "ansible-playbook of " + n + " tasks");
              return s;
            });
      }
      ansibleSamples = rounds(Math.min(reps, 3), a);
    }
    say("");
    say("| variant | wall | cpu |");
    say("|---|---|---|");
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      say("| %s | %s | %s |", e.getKey(), wall(e.getValue()).seconds(), cpu(e.getValue()).seconds());
    }
    for (Map.Entry<String, List<Sample>> e : ansibleSamples.entrySet()) {
      say("| %s | %s | %s |", e.getKey(), wall(e.getValue()).seconds(), cpu(e.getValue()).seconds());
    }
    double[] rb = slopes(samples, "runbook N=", sizes);
    double[] c = slopes(samples, "C floor N=", sizes);
    double[] cs = slopes(samples, "C floor, session per step N=", sizes);
    double[] j = slopes(samples, "Java floor N=", sizes);
    say("");
    say("slope per step (least squares over the medians, N = %s):", Arrays.toString(sizes));
    say("| | wall per step | cpu per step |");
    say("|---|---|---|");
    say("| runbook | %.2f ms | %.2f ms |", rb[0] * 1000, rb[1] * 1000);
    say("| C floor | %.2f ms | %.2f ms |", c[0] * 1000, c[1] * 1000);
    say("| C floor, session per step | %.2f ms | %.2f ms |", cs[0] * 1000, cs[1] * 1000);
    say("| Java floor | %.2f ms | %.2f ms |", j[0] * 1000, j[1] * 1000);
    double[] an = null;
    if (haveAnsible) {
      an = slopes(ansibleSamples, "ansible N=", ansibleSizes);
      say(
          "| ansible-playbook (N = %s) | %.2f ms | %.2f ms |",
          Arrays.toString(ansibleSizes), an[0] * 1000, an[1] * 1000);
    }
    say("");
    say(
        "runbook / C floor: %.2f× wall, %.2f× cpu (target ≤ 2× wall: %s)",
        rb[0] / c[0], rb[1] / c[1], verdict(rb[0] / c[0] <= 2));
    say(
        "runbook / C floor, session per step: %.2f× wall, %.2f× cpu", rb[0] / cs[0], rb[1] / cs[1]);
    say("runbook / Java floor: %.2f× wall, %.2f× cpu", rb[0] / j[0], rb[1] / j[1]);
    say("Java floor / C floor: %.2f× wall, %.2f× cpu", j[0] / c[0], j[1] / c[1]);
    if (an != null) {
      say(
          "ansible / runbook: %.0f× wall, %.0f× cpu per step (target ≥ 70× cheaper: %s)",
          an[0] / rb[0], an[1] / rb[1], verdict(an[0] / rb[0] >= 70));
    } else {
      say(
          "ansible-playbook: not installed, so no comparison (Debian `ansible-core`; `bench/run"
              + " --install-ansible` installs it)");
    }
  }

  private static boolean hasCommand(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }

  /** Least-squares slopes (seconds per step) of median wall and cpu against N. */
  private static double[] slopes(Map<String, List<Sample>> samples, String prefix, int[] sizes) {
    double[] x = new double[sizes.length];
    double[] w = new double[sizes.length];
    double[] c = new double[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      List<Sample> s = samples.get(prefix + sizes[i]);
      x[i] = sizes[i];
      w[i] = wall(s).median();
      c[i] = cpu(s).median();
    }
    return new double[] {slope(x, w), slope(x, c)};
  }

  private static double slope(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double num = 0;
    double den = 0;
    for (int i = 0; i < x.length; i++) {
      num += (x[i] - mx) * (y[i] - my);
      den += (x[i] - mx) * (x[i] - mx);
    }
    return num / den;
  }

  // ---------------------------------------------------------------- 2. cold start

  private void coldStart() throws IOException {
    int rounds = quick ? reps : reps * 2;
    Path classes = work.resolve("hello-classes");
    Files.createDirectories(classes);
    sh(
        List.of(
            "javac",
            "-d",
            classes.toString(),
            root.resolve("bench/src/Hello.java").toString()),
        work);
    Path demo = root.resolve("examples/demo-upgrade.yaml");
    Path jar = root.resolve("cli/target/runbook.jar");
    Path archive = root.resolve("cli/target/runbook.jsa");
    boolean archived =
        Files.exists(archive)
            && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
    say("");
    say("## 2. Cold start: `runbook validate examples/demo-upgrade.yaml`");
    say("");
    say(
        "AppCDS archive cli/target/runbook.jsa: %s",
        archived ? "present and newer than the jar (bin/runbook uses it)" : "MISSING or stale");
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put(
        "java Hello (JVM defaults)",
        round -> measure(List.of("java", "-cp", classes.toString(), "Hello")));
    variants.put(
        "bin/runbook validate",
        round -> {
          Sample s = measure(runbook("validate", demo.toString()));
          check(s, 0, "validate");
          return s;
        });
    Path json = work.resolve("validate.json");
    variants.put(
        "bin/runbook validate --format json",
        round -> {
          Sample s = measure(runbook("validate", "--format", "json", demo.toString()), json, Map.of());
          check(s, 0, "validate --format json");
          return s;
        });
    // bin/runbook's JVM flags, then one change at a time: what each flag is worth.
    String cds = "-XX:SharedArchiveFile=" + archive;
    List<String[]> flagSets = new ArrayList<>();
    String serial = "-XX:+UseSerialGC";
    flagSets.add(new String[] {"no archive", "-XX:TieredStopAtLevel=1", serial, "-Xms64m"});
    if (!quick && archived) {
      flagSets.add(
          new String[] {"bin/runbook's flags", "-XX:TieredStopAtLevel=1", serial, "-Xms64m", cds});
      flagSets.add(new String[] {"C2 too (no TieredStopAtLevel)", serial, "-Xms64m", cds});
      flagSets.add(
          new String[] {"default initial heap (no -Xms64m)", "-XX:TieredStopAtLevel=1", serial, cds});
      flagSets.add(
          new String[] {"G1 (the default collector)", "-XX:TieredStopAtLevel=1", "-Xms64m", cds});
      flagSets.add(
          new String[] {
            "-UsePerfData", "-XX:TieredStopAtLevel=1", serial, "-Xms64m", "-XX:-UsePerfData", cds
          });
      flagSets.add(
          new String[] {"-Xshare:off (no CDS at all)", "-XX:TieredStopAtLevel=1", serial,
            "-Xms64m", "-Xshare:off"});
    }
    for (String[] f : flagSets) {
      List<String> cmd = new ArrayList<>(List.of("java"));
      cmd.addAll(Arrays.asList(f).subList(1, f.length));
      cmd.addAll(List.of("-Xlog:disable", "-Xlog:all=warning:stderr", "-jar", jar.toString()));
      cmd.addAll(List.of("validate", demo.toString()));
      variants.put(
          "java -jar runbook.jar validate: " + f[0],
          round -> {
            Sample s = measure(cmd);
            check(s, 0, "validate with " + f[0]);
            return s;
          });
    }
    Map<String, List<Sample>> samples = rounds(rounds, variants);
    String jsonOut = Files.readString(json).trim();
    say("");
    say("| variant | wall | cpu | max RSS |");
    say("|---|---|---|---|");
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      say(
          "| %s | %s | %s | %.0f MiB |",
          e.getKey(),
          wall(e.getValue()).seconds(),
          cpu(e.getValue()).seconds(),
          rss(e.getValue()).median() / 1024);
    }
    double rb = wall(samples.get("bin/runbook validate")).median();
    double hello = wall(samples.get("java Hello (JVM defaults)")).median();
    say("");
    say(
        "validate: %.3f s, %.1f× a JVM hello (%.3f s); target ≤ 0.35 s: %s",
        rb, rb / hello, hello, verdict(rb <= 0.35));
    double noArchive =
        wall(samples.get("java -jar runbook.jar validate: no archive")).median();
    say("without the archive: %.3f s (the archive saves %.0f%%)", noArchive, 100 * (1 - rb / noArchive));
    say(
        "`validate --format json` stdout is %s",
        jsonOut.startsWith("[") || jsonOut.startsWith("{")
            ? "clean JSON (" + jsonOut.length() + " bytes)"
            : "NOT clean JSON: " + jsonOut.lines().findFirst().orElse(""));
  }

  // ---------------------------------------------------------------- 3. scale

  private void scale() throws IOException {
    int big = quick ? 2000 : 10000;
    int rounds = quick ? 1 : Math.min(reps, 3);
    say("");
    say("## 3. Scale");
    say("");
    Path file = stepsRunbook("steps-big", big, "run: \"true\"", null);
    Path state = work.resolve("state-plan");
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put(
        "validate " + big + " steps",
        round -> {
          Sample s = measure(runbook("validate", file.toString()));
          check(s, 0, "validate of the big runbook");
          return s;
        });
    variants.put(
        "plan " + big + " steps",
        round -> {
          Sample s = measure(runbook("plan", file.toString(), "--state-dir", state.toString()));
          check(s, 0, "plan of the big runbook");
          return s;
        });
    Map<String, List<Sample>> samples = rounds(rounds, variants);
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      double w = wall(e.getValue()).median();
      say(
          "- %s: wall %s, cpu %s, max RSS %.0f MiB; target ≤ 2 s: %s",
          e.getKey(),
          wall(e.getValue()).seconds(),
          cpu(e.getValue()).seconds(),
          rss(e.getValue()).median() / 1024,
          verdict(w <= 2));
    }
    resumeBigJournal(quick ? 10_000 : 100_000, quick ? 1 : 2);
    bigOutput(quick ? 64L << 20 : 1L << 30, quick ? 1 : 2);
  }

  /**
   * A run whose journal holds {@code records} records, stopped at its last step, then resumed.
   * The run is made by the engine itself: {@code confirm} steps run with {@code --yes} (two records
   * each and no process: the loader's bound of 200,000 YAML values allows about 66,000 such steps),
   * and the last step's requirement (a file) is unmet, so the run stops there, resumable. The run
   * is made on tmpfs when there is one (its fsyncs are then cheap), the file is created, and each
   * round resumes a fresh copy of the state dir.
   */
  private void resumeBigJournal(int records, int rounds) throws IOException {
    // run_started + 2 per confirmed step + step_failed + finished: records = 2 * steps + 1.
    int steps = records / 2;
    Path go = work.resolve("resume-go");
    Files.deleteIfExists(go);
    Path file =
        stepsRunbook(
            "resume-big",
            steps,
            "confirm: ok",
            "requires: [ { path: \"" + go + "\" } ], confirm: last");
    Path shm = Path.of("/dev/shm");
    Path made =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "runbook-bench-")
            : work.resolve("state-resume-made");
    Sample gen =
        measure(runbook("run", file.toString(), "--yes", "--state-dir", made.toString()));
    check(gen, 4, "the run that makes the big journal (it stops at its last step)");
    Files.writeString(go, "go\n");
    Path runs = made.resolve("runs");
    String runId;
    try (Stream<Path> list = Files.list(runs)) {
      runId = list.findFirst().orElseThrow().getFileName().toString();
    }
    long count;
    try (Stream<String> lines = Files.lines(runs.resolve(runId).resolve("journal.jsonl"))) {
      count = lines.count();
    }
    Path state = work.resolve("state-resume");
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put(
        "resume",
        round -> {
          deleteTree(state);
          sh(List.of("cp", "-a", made.toString(), state.toString()), work);
          Sample s = measure(runbook("resume", runId, "--yes", "--state-dir", state.toString()));
          check(s, 0, "resume of the big journal");
          return s;
        });
    // What the resume is made of: loading the runbook, and reading the journal once.
    variants.put(
        "validate",
        round -> {
          Sample s = measure(runbook("validate", file.toString()));
          check(s, 0, "validate of the big resume runbook");
          return s;
        });
    variants.put(
        "status",
        round -> {
          Sample s = measure(runbook("status", runId, "--state-dir", made.toString()));
          check(s, 0, "status of the big run");
          return s;
        });
    Map<String, List<Sample>> samples = rounds(rounds, variants);
    deleteTree(made);
    deleteTree(state);
    List<Sample> s = samples.get("resume");
    say(
        "- resume of a run whose journal has %d records (%d steps; made by a real run in %.0f s):"
            + " wall %s, cpu %s, max RSS %.0f MiB; target ≤ 2 s: %s",
        count,
        steps,
        gen.wall(),
        wall(s).seconds(),
        cpu(s).seconds(),
        rss(s).median() / 1024,
        verdict(wall(s).median() <= 2));
    say(
        "  of which: `validate` of its runbook alone: wall %s, cpu %s; `status` of the run (one"
            + " read of the journal): wall %s, cpu %s",
        wall(samples.get("validate")).seconds(),
        cpu(samples.get("validate")).seconds(),
        wall(samples.get("status")).seconds(),
        cpu(samples.get("status")).seconds());
  }

  /** One step that prints {@code bytes} to stdout: the engine's memory and the log on disk. */
  private void bigOutput(long bytes, int rounds) throws IOException {
    // Lines of 64 bytes, like a chatty build log; bytes is a multiple of 64.
    String line = "runbook bench: a line of step output, sixty-four bytes long....";
    if (line.length() != 63) {
      throw new IllegalStateException("the line must be 63 characters plus a newline");
    }
    Path file =
        stepsRunbook(
            "big-output",
            1,
            // The output makes the engine keep a copy of stdout too, as for any step that reads one.
            "run: \"yes '" + line + "' | head -c " + bytes + "\", outputs: { word: { regex: sixty } }",
            null);
    Path state = work.resolve("state-output");
    long[] logSize = new long[1];
    long[] outSize = new long[1];
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put(
        "output",
        round -> {
          deleteTree(state);
          Sample s = measure(runbook("run", file.toString(), "--state-dir", state.toString()));
          check(s, 0, "the step printing " + bytes + " bytes");
          try (Stream<Path> walk = Files.walk(state)) {
            for (Path p : walk.toList()) {
              String name = p.getFileName().toString();
              if (name.equals("s1.log")) {
                logSize[0] = Files.size(p);
              } else if (name.equals("s1.out")) {
                outSize[0] = Files.size(p);
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          deleteTree(state);
          return s;
        });
    Map<String, List<Sample>> samples = rounds(rounds, variants);
    List<Sample> s = samples.get("output");
    double rssMib = rss(s).max() / 1024;
    say(
        "- a step printing %.2f GiB to stdout: wall %s (%.0f MiB/s), peak RSS of the runbook JVM"
            + " %.0f MiB (max over rounds; target < 256 MiB: %s); log on disk %d bytes, stdout"
            + " file %d bytes (%s)",
        bytes / GIB,
        wall(s).seconds(),
        bytes / 1024.0 / 1024.0 / wall(s).median(),
        rssMib,
        verdict(rssMib < 256),
        logSize[0],
        outSize[0],
        logSize[0] == bytes && outSize[0] == bytes ? "complete: exact size" : "INCOMPLETE");
  }

  // ---------------------------------------------------------------- 4. profile

  /** Where the time of a run of many steps goes, by Java Flight Recorder. */
  private void profile() throws IOException {
    int n = quick ? 100 : 1000;
    say("");
    say("## 4. Where the time goes: JFR profile of a run of %d `true` steps", n);
    say("");
    Path file = stepsRunbook("profile", n, "run: \"true\"", null);
    Path state = work.resolve("state-profile");
    Path jfr = work.resolve("profile.jfr");
    deleteTree(state);
    List<String> cmd =
        List.of(
            "java",
            "-XX:TieredStopAtLevel=1",
            "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile",
            "-Xlog:disable",
            "-jar",
            root.resolve("cli/target/runbook.jar").toString(),
            "run",
            file.toString(),
            "--state-dir",
            state.toString());
    Sample s = measure(cmd);
    check(s, 0, "the profiled run");
    deleteTree(state);
    say("run under JFR: wall %.2f s, cpu %.2f s", s.wall(), s.cpu());
    String jfrTool = Path.of(System.getProperty("java.home"), "bin", "jfr").toString();
    String samples =
        sh(List.of(jfrTool, "print", "--events", "jdk.ExecutionSample", jfr.toString()), work);
    Map<String, Integer> ours = new TreeMap<>();
    Map<String, Integer> leaves = new TreeMap<>();
    int total = 0;
    boolean inStack = false;
    boolean leafSeen = false;
    boolean ourSeen = false;
    for (String raw : samples.lines().toList()) {
      String l = raw.trim();
      if (l.startsWith("stackTrace = [")) {
        inStack = true;
        leafSeen = false;
        ourSeen = false;
        total++;
        continue;
      }
      if (!inStack) {
        continue;
      }
      if (l.startsWith("]") || l.equals("...")) {
        inStack = l.equals("...");
        continue;
      }
      String frame = l.replaceAll("\\s+line:.*$", "");
      if (!leafSeen) {
        leaves.merge(frame, 1, Integer::sum);
        leafSeen = true;
      }
      if (!ourSeen && frame.startsWith("dev.runbook.")) {
        ours.merge(frame, 1, Integer::sum);
        ourSeen = true;
      }
    }
    say("Java execution samples: %d (native and kernel time is not sampled)", total);
    say("top runbook frames (the innermost dev.runbook frame of each sample):");
    top(ours, total);
    say("top leaf frames:");
    top(leaves, total);
    String summary = sh(List.of(jfrTool, "summary", jfr.toString()), work);
    for (String l : summary.lines().toList()) {
      String t = l.trim();
      if (t.startsWith("jdk.ThreadStart ")
          || t.startsWith("jdk.ProcessStart ")
          || t.startsWith("jdk.GarbageCollection ")) {
        String[] f = t.split("\\s+");
        say("%s: %s events (%.1f per step)", f[0], f[1], Integer.parseInt(f[1]) / (double) n);
      }
    }
    Files.copy(jfr, work.resolve("profile-kept.jfr"), StandardCopyOption.REPLACE_EXISTING);
  }

  private void top(Map<String, Integer> counts, int total) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(8)
        .forEach(
            e ->
                say(
                    "  %5.1f%%  %s",
                    100.0 * e.getValue() / Math.max(1, total),
                    e.getKey()));
  }
}
