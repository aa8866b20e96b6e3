package dev.runbook.runbooks.seqdesk;

import dev.runbook.runbooks.FailAtEveryStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Ways to make one step of a SeqDesk runbook fail, the way it could fail on a real box: a command
 * that fails (or half-succeeds), a broken file in the installation or its backup, a broken tool.
 */
final class Faults {
  private Faults() {}

  /** A fault: the step it should make fail, how (in words), and how it is injected. */
  record Fault(String step, String how, Injection injection) {
    @Override
    public String toString() {
      return step + ": " + how;
    }

    /** As the generic scenario injects it into a {@link SeqDeskInstallation}. */
    FailAtEveryStep.Injection<SeqDeskInstallation> toInjection() {
      return new FailAtEveryStep.Injection<>(step, how, SeqDeskInstallation.breakage(this));
    }
  }

  /** Prepares the fixture for a fault; says which parameters and environment the run gets. */
  interface Injection {
    Injected apply(SeqDeskFixture fixture) throws IOException, InterruptedException;
  }

  /** Parameters that replace the fixture's, and variables added to the run's environment. */
  record Injected(Map<String, String> params, Map<String, String> env) {
    static final Injected NOTHING = new Injected(Map.of(), Map.of());

    static Injected params(String name, String value) {
      return new Injected(Map.of(name, value), Map.of());
    }

    static Injected env(Map<String, String> env) {
      return new Injected(Map.of(), env);
    }
  }

  /** A fault made by changing the fixture's files only. */
  interface Edit {
    void apply(SeqDeskFixture fixture) throws IOException, InterruptedException;
  }

  static Fault edit(String step, Edit edit) {
    return new Fault(
        step,
        "a broken file",
        f -> {
          edit.apply(f);
          return Injected.NOTHING;
        });
  }

  static Fault param(String step, String name, String value) {
    return new Fault(step, name + "=" + value, f -> Injected.params(name, value));
  }

  /**
   * A named pipe in {@code dir}: the file actions refuse special files, as they would a socket a
   * process left in the tree.
   */
  static void fifo(Path dir) throws IOException, InterruptedException {
    Commands.run(dir, "mkfifo", dir.resolve("trace.sock").toString());
  }

  /** A {@code pg_dump} first on PATH that reads schemas but fails to dump data. */
  static Map<String, String> brokenPgDump(SeqDeskFixture fixture) throws IOException {
    Path shim = Files.createDirectories(fixture.root.resolve("broken-tools"));
    Path script =
        Files.writeString(
            shim.resolve("pg_dump"),
            """
            #!/bin/sh
            for a in "$@"; do
              [ "$a" = --schema-only ] && exec /usr/bin/pg_dump "$@"
            done
            echo "pg_dump: error: Dumping the contents of table \\"Sample\\" failed: server closed the connection unexpectedly" >&2
            exit 1
            """);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Map.of("PATH", shim + ":" + System.getenv("PATH"));
  }

  /**
   * An install command that changes node_modules/ and then fails, as npm does on a lost network.
   */
  static String installThenFail(SeqDeskFixture fixture) throws IOException {
    Path script =
        Files.writeString(
            fixture.bin.resolve("install-then-fail.sh"),
            """
            #!/bin/sh
            /usr/bin/python3 "$(dirname "$0")/install.py"
            echo "npm ERR! code ECONNRESET" >&2
            echo "npm ERR! network aborted" >&2
            exit 1
            """);
    return "sh " + script;
  }

  /**
   * Adds to a .tar.gz a hard link to a member it does not hold: the package lists fine and fails to
   * extract.
   */
  static void danglingHardLink(Path archive) throws IOException, InterruptedException {
    Commands.run(
        archive.getParent(),
        SeqDeskFixture.PYTHON,
        "-c",
        """
        import sys, tarfile
        path = sys.argv[1]
        with tarfile.open(path) as t:
            members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
        with tarfile.open(path, "w:gz") as t:
            for m, data in members:
                t.addfile(m, None if data is None else __import__("io").BytesIO(data))
            link = tarfile.TarInfo("public/favicon-32.ico")
            link.type = tarfile.LNKTYPE
            link.linkname = "public/favicon-missing.ico"
            t.addfile(link)
        """,
        archive.toString());
  }

  /** Appends what makes a JSON file unparsable, leaving its lines as they were. */
  static void corruptJson(Path file) throws IOException {
    Files.writeString(file, Files.readString(file) + "<<<<<<< merge conflict\n");
  }

  /** Removes the {@code "version"} line of a package.json. */
  static void dropVersion(Path packageJson) throws IOException {
    List<String> lines =
        Files.readAllLines(packageJson).stream().filter(l -> !l.contains("\"version\"")).toList();
    Files.write(packageJson, lines);
  }
}
