package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.docker.DockerActions;
import dev.runbook.engine.internal.docker.DockerConnection;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.Attempt;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.process.ProcessRunner;
import dev.runbook.engine.internal.render.Bindings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every docker operation of the model has a plan rendering and a handler: each is dispatched to the
 * engine (which is not there, so each fails saying so, rather than "no handler").
 */
class DockerOperationCoverageTest {
  static final SourceLocation AT = new SourceLocation("t.yaml", 1, 1);

  static Template t(String text) {
    return new Template(text, List.of(new Template.Literal(text)), AT);
  }

  /** One instance of each operation kind. */
  static List<DockerOperation> everyOperation() {
    DockerOperation.Target name =
        new DockerOperation.Target(Optional.of(t("app")), Optional.empty());
    List<DockerOperation> ops =
        List.of(
            new DockerOperation.Pull(t("app:1")),
            new DockerOperation.Inspect(t("app")),
            new DockerOperation.Run(
                t("app:1"),
                Optional.of(t("app")),
                Map.of("A", t("1")),
                List.of(t("serve")),
                List.of(t("data:/data")),
                Map.of("k", t("v")),
                Optional.of("none"),
                Optional.of(
                    new DockerOperation.Health(
                        t("true"), Duration.ofSeconds(5), 3, Optional.empty(), Optional.empty())),
                Optional.of("always"),
                true,
                false),
            new DockerOperation.Stop(name, Optional.of(Duration.ofSeconds(3))),
            new DockerOperation.Start(name),
            new DockerOperation.Remove(name, true),
            new DockerOperation.Exec(t("app"), List.of(t("true"))),
            new DockerOperation.WaitHealthy(t("app"), t("5s")),
            new DockerOperation.Tag(t("app:1"), t("app:previous")),
            new DockerOperation.Logs(t("app"), Optional.of(10)));
    Set<String> covered = new TreeSet<>();
    ops.forEach(o -> covered.add(o.getClass().getSimpleName()));
    Set<String> all = new TreeSet<>();
    Arrays.stream(DockerOperation.class.getPermittedSubclasses())
        .filter(c -> DockerOperation.class.isAssignableFrom(c))
        .forEach(c -> all.add(c.getSimpleName()));
    assertThat(covered).as("one of each DockerOperation kind").isEqualTo(all);
    return ops;
  }

  @Test
  void everyOperationHasAPlanRendering() {
    for (DockerOperation op : everyOperation()) {
      List<String> lines = Planner.describeDocker(op, Bindings.of(Map.of()));
      assertThat(lines.get(0)).startsWith("docker " + op.key() + ": ");
    }
  }

  @Test
  void everyOperationHasAHandler(@TempDir Path dir) {
    Path socket = dir.resolve("none.sock");
    ActionRunner runner =
        new ActionRunner(
            new ProcessRunner(),
            null,
            new DockerActions(new DockerConnection(Map.of("DOCKER_HOST", "unix://" + socket))));
    RunState state = new RunState(Map.of(), Map.of(), "run", dir);
    List<String> reasons = new ArrayList<>();
    for (DockerOperation op : everyOperation()) {
      Step step =
          new Step(
              op.key(),
              Optional.empty(),
              Optional.empty(),
              List.of(),
              new Action.Docker(op, AT),
              Optional.empty(),
              Map.of(),
              Optional.empty(),
              Optional.empty(),
              List.of(),
              Map.of(),
              List.of(),
              Optional.empty(),
              false,
              true,
              false,
              AT);
      Attempt attempt =
          runner.attempt(
              op.key(),
              step,
              state,
              Map.of(),
              dir,
              new ActionRunner.StepFiles(
                  dir.resolve(op.key() + ".log"), dir.resolve(op.key() + ".out")),
              Optional.empty(),
              Interaction.unattended(false),
              r -> {},
              line -> {},
              pid -> {});
      assertThat(attempt.outcome()).isEqualTo(Attempt.Outcome.FAILED);
      reasons.add(attempt.reason());
    }
    assertThat(reasons)
        .allSatisfy(
            r -> assertThat(r).startsWith("cannot reach the Docker Engine at unix://" + socket));
  }
}
