package dev.runbook.runbooks.docker;

import static dev.runbook.runbooks.docker.SvRunnerDeployment.NEW;
import static dev.runbook.runbooks.docker.SvRunnerDeployment.OLD;
import static dev.runbook.runbooks.docker.SvRunnerDeployment.RUNBOOK;
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
 * {@code runbooks/svrunner/upgrade-docker.yaml} with a failure injected at each step that changes
 * something or proves the new version, in turn (a parameter, a broken deployment, or a new image
 * that gets one thing wrong while it stays healthy): the run exits 1 having rolled back, the
 * server's directory (local.db, assets, .env; the logs aside, which the app keeps writing) is
 * byte-identical to before, the logs kept every line they had, and the 1.0.0 image runs again under
 * the container's name, in the only container of that name.
 *
 * <p>{@link SvRunnerDockerUpgradeIT} proves the same for {@code mount_mapped} (a wrong mount) and
 * {@code healthy} (a boot migration that fails half-way, an image that never becomes healthy), with
 * more to check there. Not injected: {@code pull} (the deployment has its images loaded, {@code
 * pull: false}), and {@code logs_written}, whose wait of a minute outlasts the test's CLI timeout.
 * The read-only steps before {@code mount_probe} change nothing to roll back.
 */
class SvRunnerDockerRollbackIT {
  static PrivateDockerd dockerd;

  @TempDir static Path shared;

  /** What one scenario makes fail, and how. */
  @FunctionalInterface
  interface Fault {
    /** Breaks the deployment; returns the arguments and environment of the upgrade to run. */
    Upgrade apply(SvRunnerDeployment deployment) throws Exception;
  }

  /** {@code runbook run upgrade-docker.yaml -p version=VERSION ARGS} with {@code env}. */
  record Upgrade(String version, List<String> args, Map<String, String> env) {
    static Upgrade to(String version) {
      return new Upgrade(version, List.of(), Map.of());
    }

    Upgrade with(String param) {
      List<String> all = new ArrayList<>(args);
      all.add("-p");
      all.add(param);
      return new Upgrade(version, all, env);
    }
  }

  record Injection(String step, String how, Fault fault) {}

  record Outcome(
      Injection injection,
      CliProcess.Result result,
      Map<String, String> dataBefore,
      Map<String, String> dataAfter,
      String logBefore,
      String logAfter,
      String imageBefore,
      InspectContainerResponse after,
      long millis,
      int containersNamedAlike) {}

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    SvRunnerDeployment.importImages(dockerd);
    SvRunnerDeployment.importBrokenImages(dockerd);
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
            "mount_probe",
            "touch fails",
            d ->
                new Upgrade(
                    NEW, List.of(), Breakages.failingProgram(d.root().resolve("shim"), "touch"))),
        new Injection(
            "keep_previous",
            "the image repository is no valid reference",
            d -> Upgrade.to(NEW).with("image=SVRunner")),
        new Injection("stop", "the new image is not on the engine", d -> Upgrade.to("9.9.9")),
        new Injection(
            "backup",
            "files/assets holds a named pipe, which a backup refuses",
            d -> {
              Breakages.namedPipe(d.serverDir().resolve("files/assets/upload.fifo"));
              return Upgrade.to(NEW);
            }),
        new Injection(
            "start_new",
            "the new container's command does not exist",
            d -> Upgrade.to(NEW).with("app_cmd=/no/such/program")),
        new Injection(
            "new_version",
            "the new image reports another version",
            d -> Upgrade.to(SvRunnerDeployment.broken("version"))),
        new Injection(
            "app_loads",
            "the app answers 404",
            d -> Upgrade.to(SvRunnerDeployment.broken("index"))),
        new Injection(
            "docs_load", "/docs answers 404", d -> Upgrade.to(SvRunnerDeployment.broken("docs"))),
        new Injection(
            "graphql",
            "/graphql answers an error",
            d -> Upgrade.to(SvRunnerDeployment.broken("graphql"))),
        new Injection(
            "asset_resolves",
            "assets answer 404",
            d -> Upgrade.to(SvRunnerDeployment.broken("assets"))));
  }

  private static Outcome scenario(String name, Injection injection) throws Exception {
    Path root = shared.resolve(name);
    SvRunnerDeployment deployment =
        SvRunnerDeployment.install(dockerd, root.resolve("host"), "srv/files", name);
    Upgrade upgrade = injection.fault().apply(deployment);
    Map<String, String> dataBefore = deployment.dataWithoutLogs();
    String logBefore = deployment.log();
    String imageBefore = deployment.container().getImageId();
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                RUNBOOK.toString(),
                "--params-file",
                deployment.paramsFile().toString(),
                "-p",
                "version=" + upgrade.version()));
    args.addAll(upgrade.args());
    long start = System.nanoTime();
    CliProcess.Result result =
        new DockerRunbook(dockerd, root).cli(upgrade.env(), args.toArray(String[]::new));
    if (result.exitCode() == 1) {
      deployment.awaitVersion(OLD);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    return new Outcome(
        injection,
        result,
        dataBefore,
        deployment.dataWithoutLogs(),
        logBefore,
        deployment.log(),
        imageBefore,
        deployment.container(),
        millis,
        deployment.containersNamedAlike().size());
  }

  @TestFactory
  Stream<DynamicTest> aFailureAtEachStepRollsBackToTheSameBytesAndThePreviousImage() {
    Map<String, Callable<Outcome>> scenarios = new LinkedHashMap<>();
    int n = 0;
    for (Injection injection : injections()) {
      String container = "svrunner-" + n++;
      scenarios.put(
          injection.step() + ": " + injection.how(), () -> scenario(container, injection));
    }
    return ParallelScenarios.run(scenarios, SvRunnerDockerRollbackIT::assertRolledBack);
  }

  private static void assertRolledBack(Outcome o) {
    DockerRunbook.assertFailedAndRolledBack(
        "svrunner docker", o.injection().step(), o.result(), o.millis());
    assertThat(o.dataAfter())
        .as("local.db, assets and .env, byte for byte")
        .isEqualTo(o.dataBefore());
    assertThat(o.logAfter()).as("the log keeps every line it had").startsWith(o.logBefore());
    assertThat(o.after().getImageId()).as("the previous image").isEqualTo(o.imageBefore());
    assertThat(o.after().getState().getRunning()).isTrue();
    assertThat(o.containersNamedAlike()).as("containers of that name").isEqualTo(1);
  }
}
