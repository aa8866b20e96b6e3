package dev.runbook.runbooks.docker;

import static dev.runbook.runbooks.docker.PrintStashStack.NEW;
import static dev.runbook.runbooks.docker.PrintStashStack.OLD;
import static dev.runbook.runbooks.docker.PrintStashStack.RUNBOOK;
import static dev.runbook.runbooks.docker.PrintStashStack.WRONG_VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.runbook.cli.CliProcess;
import dev.runbook.engine.internal.docker.PrivateDockerd;
import dev.runbook.runbooks.Breakages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbooks/printstash/upgrade-container.yaml} with a failure injected at each step that
 * changes something or proves the new version, in turn (a parameter, a broken data directory, or a
 * new image that fails in one way): the run exits 1 having rolled back, the data directory (the
 * SQLite file and the files) is byte-identical to before, the 1.4.0 image runs again healthy under
 * the API container's name, in the only container of that name, and the rest of the stack runs.
 *
 * <p>{@link PrintStashContainerUpgradeIT} proves the same for {@code migrate} (a migration that
 * fails half-way) and {@code healthy} (an image that never becomes healthy), with more to check
 * there. Not injected: {@code pull} (the images are loaded, {@code pull: false}), {@code config}
 * (read-only), and {@code start_rest}, which starts the stack by label as its rollback would.
 */
class PrintStashContainerRollbackIT {
  static PrivateDockerd dockerd;

  @TempDir static Path shared;

  /** What one scenario makes fail, and how. */
  @FunctionalInterface
  interface Fault {
    /** Breaks the stack; returns {@code version=...} and any other {@code -p} of the upgrade. */
    List<String> apply(PrintStashStack stack) throws Exception;
  }

  record Injection(String step, String how, Fault fault) {}

  record Outcome(
      Injection injection,
      CliProcess.Result result,
      Map<String, String> dataBefore,
      Map<String, String> dataAfter,
      String imageBefore,
      InspectContainerResponse after,
      long millis,
      int containersNamedAlike,
      boolean frontendRunning) {}

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    PrintStashStack.importImages(dockerd);
    PrintStashStack.importBrokenImage(dockerd);
  }

  @AfterAll
  static void stopEngine() {
    if (dockerd != null) {
      dockerd.close();
    }
  }

  static List<Injection> injections() {
    return List.of(
        new Injection(
            "stop_stack", "the new image is not on the engine", s -> List.of("version=9.9.9")),
        new Injection(
            "backup",
            "the files directory holds a named pipe, which a backup refuses",
            s -> {
              Breakages.namedPipe(s.dataDir().resolve("files/slicer.fifo"));
              return List.of("version=" + NEW);
            }),
        new Injection(
            "start_api",
            "the new container's command does not exist",
            s -> List.of("version=" + NEW, "api_cmd=/no/such/program")),
        new Injection(
            "smoke",
            "the new image reports another version",
            s -> List.of("version=" + WRONG_VERSION)));
  }

  private static Outcome scenario(String project, Injection injection) throws Exception {
    Path root = shared.resolve(project);
    PrintStashStack stack = PrintStashStack.install(dockerd, root.resolve("host"), project);
    List<String> params = injection.fault().apply(stack);
    Map<String, String> dataBefore = Trees.digests(stack.dataDir());
    String imageBefore = stack.container().getImageId();
    List<String> args =
        new ArrayList<>(
            List.of("run", RUNBOOK.toString(), "--params-file", stack.paramsFile().toString()));
    for (String p : params) {
      args.add("-p");
      args.add(p);
    }
    long start = System.nanoTime();
    CliProcess.Result result = new DockerRunbook(dockerd, root).cli(args.toArray(String[]::new));
    if (result.exitCode() == 1) {
      stack.awaitHealthy(OLD);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    return new Outcome(
        injection,
        result,
        dataBefore,
        Trees.digests(stack.dataDir()),
        imageBefore,
        stack.container(),
        millis,
        stack.containersNamedAlike().size(),
        stack.frontendRunning());
  }

  @TestFactory
  Stream<DynamicTest> aFailureAtEachStepRollsBackToTheSameBytesAndThePreviousImage() {
    Map<String, Callable<Outcome>> scenarios = new LinkedHashMap<>();
    int n = 0;
    for (Injection injection : injections()) {
      String project = "printstash" + n++;
      scenarios.put(injection.step() + ": " + injection.how(), () -> scenario(project, injection));
    }
    return ParallelScenarios.run(scenarios, PrintStashContainerRollbackIT::assertRolledBack);
  }

  private static void assertRolledBack(Outcome o) {
    DockerRunbook.assertFailedAndRolledBack(
        "printstash container", o.injection().step(), o.result(), o.millis());
    assertThat(o.dataAfter())
        .as("the SQLite file and the files, byte for byte")
        .isEqualTo(o.dataBefore());
    assertThat(o.after().getImageId()).as("the previous image").isEqualTo(o.imageBefore());
    assertThat(o.after().getState().getRunning()).isTrue();
    assertThat(o.containersNamedAlike()).as("containers of that name").isEqualTo(1);
    assertThat(o.frontendRunning()).as("the rest of the stack runs").isTrue();
  }
}
