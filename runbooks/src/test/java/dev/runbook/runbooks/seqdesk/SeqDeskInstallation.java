package dev.runbook.runbooks.seqdesk;

import dev.runbook.runbooks.Installation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.json.JSONObject;

/**
 * A {@link SeqDeskFixture} as the generic scenarios see it: one of SeqDesk's runbooks, its
 * parameters in a file (JSON, which is YAML) and the database URL, a secret, in the engine's
 * environment. Every installation has its own directory, port and database in the shared cluster.
 */
final class SeqDeskInstallation implements Installation {
  /** What the scenarios compare: the installation's files, its database's dump, its version. */
  record State(Map<String, String> tree, String dump, Optional<String> version) {}

  /** The state before and after a run, compared with or without the files' times. */
  static Installation.Snapshot<SeqDeskInstallation, State> snapshot(boolean withTimes) {
    return i -> new State(i.fixture.tree(withTimes), i.fixture.dump(), i.fixture.runningVersion());
  }

  /** How a fresh installation is brought to the state the runbook starts from. */
  interface Setup {
    void apply(SeqDeskFixture fixture) throws IOException, InterruptedException;
  }

  final SeqDeskFixture fixture;
  private final String runbook;

  private SeqDeskInstallation(SeqDeskFixture fixture, String runbook) {
    this.fixture = fixture;
    this.runbook = runbook;
  }

  /**
   * Fresh installations of {@code runbook}'s starting state ({@code setup}), each under {@code dir}
   * with a database named after it.
   */
  static Installation.Factory<SeqDeskInstallation> factory(
      Path dir,
      PostgresCluster pg,
      SeqDeskFixture.Templates templates,
      String runbook,
      Setup setup) {
    return name -> {
      // The installations' names may hold dashes; PostgreSQL's unquoted names may not.
      SeqDeskFixture f =
          new SeqDeskFixture(dir.resolve(name), pg, templates, name.replaceAll("[^a-z0-9_]", "_"));
      SeqDeskInstallation i = new SeqDeskInstallation(f, runbook);
      try {
        setup.apply(f);
        i.writeParams(Map.of());
      } catch (IOException | InterruptedException | RuntimeException e) {
        i.close();
        throw e;
      }
      return i;
    };
  }

  /** A fault as a breakage: its parameters go to the parameters file, its environment returned. */
  static Installation.Breakage<SeqDeskInstallation> breakage(Faults.Fault fault) {
    return i -> {
      Faults.Injected injected = fault.injection().apply(i.fixture);
      i.writeParams(injected.params());
      return injected.env();
    };
  }

  /**
   * Writes {@link #paramsFile()}: the fixture's parameters for the runbook, with {@code changes}.
   */
  void writeParams(Map<String, String> changes) throws IOException {
    Map<String, String> params = new LinkedHashMap<>(fixture.params(runbook));
    params.putAll(changes);
    Files.writeString(paramsFile(), new JSONObject(params).toString(2) + "\n");
  }

  @Override
  public Path root() {
    return fixture.root;
  }

  @Override
  public Path stateDir() {
    return fixture.state;
  }

  @Override
  public Path runbook() {
    return SeqDeskFixture.runbook(runbook);
  }

  @Override
  public Path paramsFile() {
    return fixture.root.resolve("params.json");
  }

  @Override
  public Map<String, String> env() {
    return fixture.env();
  }

  /** Stops the server; the directory and the database stay for a look after a failure. */
  @Override
  public void close() {
    try {
      fixture.stopServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted stopping the server of " + fixture.root, e);
    }
  }
}
