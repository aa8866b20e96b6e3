package dev.runbook.engine.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.HealthStateLog;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.command.StopContainerCmd;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.StreamType;
import dev.runbook.dsl.Durations;
import dev.runbook.engine.internal.process.LineListener;
import dev.runbook.engine.internal.process.Pause;
import dev.runbook.engine.internal.process.StreamedOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.json.JSONObject;

/**
 * The docker operations of the {@code docker} action, on resolved values, against one engine.
 *
 * <p>Each operation writes what it does to the step's output (notes in the log; a container's own
 * output as the step's output), and returns the step's built-in outputs, or throws a {@link
 * DockerActionException} whose message is the failure for the operator. Operations that reach a
 * desired state are idempotent where an operator would expect it: stopping a stopped container,
 * starting a running one and removing an absent one succeed with a note.
 */
public final class DockerActions {
  /** Label on every container a {@code run} step creates: the run's id. */
  public static final String RUN_LABEL = "dev.runbook.run-id";

  /** Label on every container a {@code run} step creates: the step's journal id. */
  public static final String STEP_LABEL = "dev.runbook.step";

  /**
   * Label on every container a one-off {@code run} step creates: whatever carries it may be removed
   * when a later run meets it, since a one-off container is always removed once it ends.
   */
  public static final String ONE_OFF_LABEL = "dev.runbook.one-off";

  /** How many of a failed one-off container's last output lines its failure quotes. */
  static final int FAILED_OUTPUT_LINES = 5;

  /** How long a request that should be quick (inspect, create, remove) may take. */
  static final Duration REQUEST_LIMIT = Duration.ofMinutes(2);

  static final Duration HEALTH_POLL = Duration.ofMillis(500);

  /** How many of a failed container's last log lines its step log keeps. */
  static final int KEPT_LOG_LINES = 50;

  /** A kept log line longer than this is cut: the step log is for reading. */
  static final int KEPT_LINE_CHARS = 2000;

  /**
   * How long reading a failed container's log may take: also after the step's timeout ran out,
   * since that is when the log matters.
   */
  static final Duration KEEP_LOG_LIMIT = Duration.ofSeconds(15);

  private final DockerConnection docker;

  public DockerActions(DockerConnection docker) {
    this.docker = docker;
  }

  /**
   * Where an operation writes and when it must give up.
   *
   * @param out the step's output
   * @param stop true once the run is asked to stop
   * @param deadline when the step's timeout passes; empty when it has none
   */
  public record Io(StreamedOutput out, BooleanSupplier stop, Optional<Instant> deadline) {
    Optional<Duration> remaining() {
      return deadline.map(d -> max(Duration.between(Instant.now(), d), Duration.ofMillis(1)));
    }

    /** The step's remaining time, but at most {@code cap}. */
    Optional<Duration> limit(Duration cap) {
      return Optional.of(remaining().filter(r -> r.compareTo(cap) < 0).orElse(cap));
    }

    private static Duration max(Duration a, Duration b) {
      return a.compareTo(b) >= 0 ? a : b;
    }
  }

  /**
   * A finished operation.
   *
   * @param outputs the step's built-in outputs
   * @param failure why the step fails although the operation ran (a command that exited non-zero);
   *     empty when it succeeded
   */
  public record Result(Map<String, Object> outputs, Optional<String> failure) {
    public Result {
      outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    static Result of(Map<String, Object> outputs) {
      return new Result(outputs, Optional.empty());
    }
  }

  // --- pull, inspect, tag ---

  public Result pull(String image, Io io) {
    ImageRef ref = ImageRef.parse(image);
    io.out().note("pulling " + image + " on the Docker Engine at " + docker.endpoint().host());
    AtomicReference<String> error = new AtomicReference<>();
    Set<String> seen = new LinkedHashSet<>();
    docker.call(
        "pull " + image,
        io.remaining(),
        io.stop(),
        (client, cancel) -> {
          ResultCallback.Adapter<PullResponseItem> callback =
              new ResultCallback.Adapter<>() {
                @Override
                public void onNext(PullResponseItem item) {
                  if (item.isErrorIndicated()) {
                    String message =
                        item.getErrorDetail() == null ? null : item.getErrorDetail().getMessage();
                    error.compareAndSet(
                        null, message == null ? "the registry reported an error" : message);
                    return;
                  }
                  String status = item.getStatus();
                  if (status == null
                      || item.getProgressDetail() != null
                          && item.getProgressDetail().getCurrent() != null) {
                    return; // byte counts: the log needs the milestones only
                  }
                  String line = (item.getId() == null ? "" : item.getId() + ": ") + status;
                  if (seen.add(line)) {
                    io.out().note(line);
                  }
                }
              };
          cancel.onCancel(callback);
          client.pullImageCmd(ref.repository()).withTag(ref.tag()).exec(callback).awaitCompletion();
          return null;
        });
    if (error.get() != null) {
      throw new DockerActionException(
          "cannot pull " + image + " from its registry: " + error.get());
    }
    InspectImageResponse pulled =
        findImage(image, io)
            .orElseThrow(
                () ->
                    new DockerActionException(
                        "pulled " + image + ", but the engine does not show the image"));
    String digest = digest(pulled, ref);
    io.out()
        .note(
            "pulled "
                + image
                + " ("
                + pulled.getId()
                + (digest.isEmpty() ? "" : ", " + digest)
                + ")");
    line(io, pulled.getId());
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("image_id", pulled.getId());
    outputs.put("image_digest", digest);
    return Result.of(outputs);
  }

  public Result inspect(String container, Io io) {
    InspectContainerResponse c =
        findContainer(container, io).orElseThrow(() -> noContainer(container, "inspect"));
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("container_id", c.getId());
    outputs.put("image_id", c.getImageId());
    outputs.put("image", String.valueOf(c.getConfig().getImage()));
    outputs.put(
        "image_digest",
        findImage(c.getImageId(), io)
            .map(i -> digest(i, ImageRef.parse(String.valueOf(c.getConfig().getImage()))))
            .orElse(""));
    outputs.put("state", status(c));
    HealthState health = c.getState() == null ? null : c.getState().getHealth();
    outputs.put("health", health == null || health.getStatus() == null ? "" : health.getStatus());
    JSONObject summary = new JSONObject(outputs);
    summary.put("name", c.getName().replaceFirst("^/", ""));
    summary.put(
        "exit_code",
        c.getState() == null || c.getState().getExitCodeLong() == null
            ? 0
            : c.getState().getExitCodeLong());
    summary.put("labels", new JSONObject(labels(c)));
    line(io, summary.toString());
    io.out().note("container " + container + " is " + describe(c));
    return Result.of(outputs);
  }

  public Result tag(String image, String as, Io io) {
    InspectImageResponse found = findImage(image, io).orElseThrow(() -> noImage(image, "tag it"));
    ImageRef target = ImageRef.parse(as);
    if (target.isDigest()) {
      throw new DockerActionException(
          "cannot tag " + image + " as " + as + ": a tag cannot be a digest");
    }
    docker.call(
        "tag " + image + " as " + as,
        io.limit(REQUEST_LIMIT),
        io.stop(),
        (client, cancel) -> {
          client.tagImageCmd(found.getId(), target.repository(), target.tag()).exec();
          return null;
        });
    io.out().note("tagged " + image + " (" + found.getId() + ") as " + as);
    return Result.of(Map.of("image_id", found.getId()));
  }

  // --- run ---

  /**
   * A {@code run} step.
   *
   * @param replace stop and remove a container of the same name first, recording it
   * @param secretParams the run's secret parameters by name, so a replaced container's record holds
   *     references instead of their values
   * @param secretKeys variables of {@code settings.env()} whose value comes from a secret
   * @param runId labels the new container, with {@code stepId}, so a compensation knows it
   * @param recorder told about a replaced container before it is touched (write-ahead)
   */
  public Result run(
      ContainerSettings settings,
      boolean replace,
      Map<String, String> secretParams,
      Set<String> secretKeys,
      String runId,
      String stepId,
      Consumer<ReplacedContainer> recorder,
      Io io) {
    String name = settings.name();
    if (replace && name.isEmpty()) {
      throw new DockerActionException("`replace: true` needs the container's `name:`");
    }
    // Before anything changes: a missing image must not cost the running container.
    InspectImageResponse image =
        findImage(settings.image(), io).orElseThrow(() -> noImage(settings.image(), "run it"));
    String replacedImage = "";
    if (!name.isEmpty()) {
      Optional<InspectContainerResponse> existing = findContainer(name, io);
      if (existing.isPresent()) {
        InspectContainerResponse old = existing.get();
        if (!replace) {
          throw new DockerActionException(
              "name conflict: a container named `"
                  + name
                  + "` already exists ("
                  + describe(old)
                  + "); remove it first, or give the run `replace: true` (rollback then restores"
                  + " it)");
        }
        Map<String, String> oldLabels = labels(old);
        if (runId.equals(oldLabels.get(RUN_LABEL)) && stepId.equals(oldLabels.get(STEP_LABEL))) {
          io.out().note("removing container " + name + ", made by an earlier try of this step");
        } else {
          ReplacedContainer record = ReplacedContainer.of(old, secretParams, secretKeys);
          recorder.accept(record);
          replacedImage = record.image();
          io.out()
              .note(
                  "replacing container "
                      + name
                      + " ("
                      + describe(old)
                      + "); its settings are in the journal, for rollback");
        }
        if (old.getState() != null && Boolean.TRUE.equals(old.getState().getRunning())) {
          stopOne(old.getId(), name, Optional.empty(), io);
        }
        removeOne(old.getId(), name, false, io);
      }
    }
    Map<String, String> labels = new LinkedHashMap<>(settings.labels());
    labels.put(RUN_LABEL, runId);
    labels.put(STEP_LABEL, stepId);
    ContainerSettings labelled =
        new ContainerSettings(
            name,
            settings.image(),
            settings.env(),
            settings.command(),
            settings.entrypoint(),
            settings.workingDir(),
            settings.user(),
            labels,
            settings.binds(),
            settings.network(),
            settings.restart(),
            settings.health(),
            settings.ports(),
            settings.exposedPorts());
    String id = createAndStart(labelled, true, io);
    String digest = digest(image, ImageRef.parse(settings.image()));
    io.out()
        .note(
            "started container "
                + (name.isEmpty() ? id.substring(0, 12) : name)
                + " ("
                + id.substring(0, 12)
                + ") from "
                + settings.image()
                + " ("
                + image.getId()
                + ")");
    line(io, id);
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("container_id", id);
    outputs.put("image_id", image.getId());
    outputs.put("image_digest", digest);
    outputs.put("replaced_image", replacedImage);
    return Result.of(outputs);
  }

  /**
   * A one-off {@code run} step, like {@code docker compose run --rm}: creates and starts the
   * container, copies its output into the step's as it comes, waits for it to exit (within the
   * step's timeout) and removes it in every case, also when the step is stopped or times out. A
   * leftover of an interrupted one-off run (its name, or this step's labels) is removed first, so a
   * resumed run starts it afresh.
   *
   * @param runId labels the container, with {@code stepId}, so a resumed step finds its leftover
   * @return a failure with the exit code and the last output lines when it exits non-zero
   */
  public Result runOneOff(ContainerSettings settings, String runId, String stepId, Io io) {
    String name = settings.name();
    InspectImageResponse image =
        findImage(settings.image(), io).orElseThrow(() -> noImage(settings.image(), "run it"));
    removeOneOffLeftovers(name, runId, stepId, io);
    Map<String, String> labels = new LinkedHashMap<>(settings.labels());
    labels.put(RUN_LABEL, runId);
    labels.put(STEP_LABEL, stepId);
    labels.put(ONE_OFF_LABEL, "true");
    ContainerSettings labelled =
        new ContainerSettings(
            name,
            settings.image(),
            settings.env(),
            settings.command(),
            settings.entrypoint(),
            settings.workingDir(),
            settings.user(),
            labels,
            settings.binds(),
            settings.network(),
            Optional.empty(),
            Optional.empty(),
            settings.ports(),
            settings.exposedPorts());
    String id = createAndStart(labelled, true, io);
    String shown = name.isEmpty() ? id.substring(0, 12) : name;
    io.out()
        .note(
            "started one-off container "
                + shown
                + " ("
                + id.substring(0, 12)
                + ") from "
                + settings.image()
                + " ("
                + image.getId()
                + "); waiting for it to exit");
    long exitCode;
    try {
      exitCode =
          docker.call(
              "wait for one-off container " + shown,
              io.remaining(),
              io.stop(),
              (client, cancel) -> {
                // Following from the start gives all of the output, also of a quick container.
                ResultCallback.Adapter<Frame> frames = frames(io, false);
                cancel.onCancel(frames);
                client
                    .logContainerCmd(id)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true)
                    .withTailAll()
                    .exec(frames)
                    .awaitCompletion();
                WaitContainerResultCallback exited =
                    client.waitContainerCmd(id).exec(new WaitContainerResultCallback());
                cancel.onCancel(exited);
                return (long) exited.awaitStatusCode();
              });
    } catch (DockerActionException e) {
      if (e.getMessage().contains("did not finish within")) {
        throw new DockerActionException(
            "one-off container "
                + shown
                + " had not exited when the step's timeout ran out; it is stopped and removed",
            e);
      }
      throw e;
    } finally {
      removeOneOff(id, shown, io);
    }
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("container_id", id);
    outputs.put("image_id", image.getId());
    outputs.put("image_digest", digest(image, ImageRef.parse(settings.image())));
    outputs.put("replaced_image", "");
    if (exitCode == 0) {
      io.out().note("one-off container " + shown + " exited 0");
      return Result.of(outputs);
    }
    List<String> last = new ArrayList<>();
    for (String line : io.out().tail()) {
      if (!line.startsWith("[runbook] ") && !line.isBlank()) {
        last.add(line.strip());
      }
    }
    last = last.subList(Math.max(0, last.size() - FAILED_OUTPUT_LINES), last.size());
    return new Result(
        outputs,
        Optional.of(
            "one-off container "
                + shown
                + " exited "
                + exitCode
                + (last.isEmpty() ? " (no output)" : ": " + String.join(" / ", last))));
  }

  /**
   * Removes what an interrupted one-off run of this step left: the container of its name if a
   * one-off step made it, and any container with this step's labels (an unnamed one). One that
   * still runs is waited for first, not killed (as resume waits for a leftover process, ADR 0008):
   * the engine cannot know how far it got. A container of the name that no one-off step made is a
   * conflict, and left alone.
   */
  private void removeOneOffLeftovers(String name, String runId, String stepId, Io io) {
    Map<String, String> leftovers = new LinkedHashMap<>();
    if (!name.isEmpty()) {
      Optional<InspectContainerResponse> existing = findContainer(name, io);
      if (existing.isPresent()) {
        InspectContainerResponse old = existing.get();
        if (!"true".equals(labels(old).get(ONE_OFF_LABEL))) {
          throw new DockerActionException(
              "name conflict: a container named `"
                  + name
                  + "` already exists ("
                  + describe(old)
                  + ") and is not a one-off container of a runbook; remove or rename it first");
        }
        leftovers.put(old.getId(), name);
      }
    }
    List<Container> labelled =
        docker.call(
            "list the leftovers of step " + stepId,
            io.limit(REQUEST_LIMIT),
            io.stop(),
            (client, cancel) ->
                client
                    .listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(
                        Map.of(ONE_OFF_LABEL, "true", RUN_LABEL, runId, STEP_LABEL, stepId))
                    .exec());
    labelled.forEach(c -> leftovers.putIfAbsent(c.getId(), name(c)));
    for (Map.Entry<String, String> leftover : leftovers.entrySet()) {
      String id = leftover.getKey();
      String shown = leftover.getValue();
      Optional<InspectContainerResponse> c = findContainer(id, io);
      if (c.isEmpty()) {
        continue;
      }
      if (isRunning(c.get())) {
        io.out()
            .note(
                "container "
                    + shown
                    + " ("
                    + describe(c.get())
                    + "), left running by an interrupted one-off run: waiting for it to exit"
                    + " before it is removed and started again");
        awaitLeftover(id, shown, io);
        c = findContainer(id, io);
      }
      io.out()
          .note(
              "removing container "
                  + shown
                  + c.map(found -> " (" + describe(found) + ")").orElse("")
                  + ", left by an interrupted one-off run");
      removeOne(id, shown, true, io);
    }
  }

  /** Waits until a leftover one-off container exits, within the step's time. */
  private void awaitLeftover(String id, String shown, Io io) {
    try {
      docker.call(
          "wait for container " + shown,
          io.remaining(),
          io.stop(),
          (client, cancel) -> {
            WaitContainerResultCallback exited =
                client.waitContainerCmd(id).exec(new WaitContainerResultCallback());
            cancel.onCancel(exited);
            return exited.awaitStatusCode();
          });
    } catch (DockerActionException e) {
      if (e.getMessage().contains("did not finish within")) {
        throw new DockerActionException(
            "container "
                + shown
                + ", left running by an interrupted one-off run, had not exited when the step's"
                + " timeout ran out; it is left running: wait for it or stop it, then run the step"
                + " again",
            e);
      }
      throw e;
    }
  }

  /**
   * Stops (with the engine's default grace) and removes a one-off container, also after a stop
   * request or a timeout: best effort, a failure is a note, the next run removes a leftover.
   */
  private void removeOneOff(String id, String shown, Io io) {
    try {
      docker.call(
          "remove one-off container " + shown,
          Optional.of(REQUEST_LIMIT),
          () -> false,
          (client, cancel) -> {
            try {
              client.stopContainerCmd(id).exec();
            } catch (NotModifiedException | NotFoundException e) {
              // exited already: the usual case
            }
            try {
              client.removeContainerCmd(id).withForce(true).withRemoveVolumes(false).exec();
            } catch (NotFoundException e) {
              // gone already: the desired state
            }
            return null;
          });
      io.out().note("removed one-off container " + shown);
    } catch (RuntimeException e) {
      io.out()
          .note(
              "could not remove one-off container "
                  + shown
                  + " ("
                  + e.getMessage()
                  + "); the step's next run removes it, or `docker rm -f "
                  + shown
                  + "`");
    }
  }

  /**
   * The built-in compensation of a {@code run} step with {@code replace: true}: removes the
   * container the step created, and creates the container it replaced again, from the record, and
   * starts it if it was running. Safe to run again after it was interrupted.
   *
   * @param name the container name of the step
   * @param record what the step replaced; empty when there was nothing to replace
   * @param stepEnv the environment the step gives its container, for withheld secrets
   */
  public Result restoreReplaced(
      String name,
      Optional<ReplacedContainer> record,
      String runId,
      String stepId,
      Map<String, String> secretParams,
      Map<String, String> stepEnv,
      Io io) {
    Optional<InspectContainerResponse> current = findContainer(name, io);
    if (current.isPresent()) {
      InspectContainerResponse c = current.get();
      Map<String, String> labels = labels(c);
      if (runId.equals(labels.get(RUN_LABEL)) && stepId.equals(labels.get(STEP_LABEL))) {
        io.out()
            .note(
                "removing container "
                    + name
                    + " ("
                    + describe(c)
                    + "), which step "
                    + stepId
                    + " created");
        // Its log goes with it: keep the end of it, the account of what went wrong.
        keepLastLines(c.getId(), name, io);
        removeOne(c.getId(), name, true, io);
      } else if (record.isPresent()
          && record.get().imageId().equals(c.getImageId())
          && record.get().labels().equals(labels)) {
        // Recreated already by an earlier, interrupted try of this compensation.
        if (record.get().running() && !isRunning(c)) {
          startOne(c.getId(), name, io);
        }
        io.out().note("container " + name + " is restored already (" + describe(c) + ")");
        return Result.of(Map.of());
      } else {
        throw new DockerActionException(
            "cannot restore container `"
                + name
                + "`: a container of that name exists that step "
                + stepId
                + " did not create ("
                + describe(c)
                + "); remove or rename it, then roll back again");
      }
    } else {
      io.out().note("no container named " + name + " to remove: the step had not created it");
    }
    if (record.isEmpty()) {
      io.out().note("step " + stepId + " replaced no container: nothing to restore");
      return Result.of(Map.of());
    }
    ReplacedContainer r = record.get();
    InspectImageResponse byId =
        findImage(r.imageId(), io)
            .orElseThrow(
                () ->
                    new DockerActionException(
                        "cannot recreate container `"
                            + name
                            + "`: its image "
                            + r.image()
                            + " ("
                            + r.imageId()
                            + ") is no longer on the Docker Engine at "
                            + docker.endpoint().host()
                            + "; pull or load it, then roll back again"));
    // By tag when the tag still names the same image (so `docker ps` shows it), else by id.
    String image =
        findImage(r.image(), io).filter(i -> i.getId().equals(byId.getId())).isPresent()
            ? r.image()
            : r.imageId();
    ContainerSettings settings = r.settings(image, secretParams, stepEnv, io.out()::note);
    String id = createAndStart(settings, r.running(), io);
    io.out()
        .note(
            "recreated container "
                + name
                + " ("
                + id.substring(0, 12)
                + ") from "
                + image
                + " as it was before step "
                + stepId
                + (r.running() ? "; started" : "; left stopped, as it was"));
    return Result.of(Map.of());
  }

  private String createAndStart(ContainerSettings s, boolean start, Io io) {
    String id =
        docker.call(
            "create container " + s.name(),
            io.limit(REQUEST_LIMIT),
            io.stop(),
            (client, cancel) -> {
              try {
                return create(client, s).exec().getId();
              } catch (ConflictException e) {
                throw new DockerActionException(
                    "name conflict: a container named `"
                        + s.name()
                        + "` was created meanwhile ("
                        + DockerErrors.engineMessage(e)
                        + ")",
                    e);
              }
            });
    if (!start) {
      return id;
    }
    try {
      docker.call(
          "start container " + s.name(),
          io.limit(REQUEST_LIMIT),
          io.stop(),
          (client, cancel) -> {
            client.startContainerCmd(id).exec();
            return null;
          });
    } catch (DockerActionException e) {
      // A container that never started is removed, so a retry does not meet it under its name.
      try {
        docker.call(
            "remove container " + s.name(),
            Optional.of(REQUEST_LIMIT),
            () -> false,
            (client, cancel) -> {
              client.removeContainerCmd(id).withForce(true).exec();
              return null;
            });
      } catch (DockerActionException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new DockerActionException(
          "container "
              + (s.name().isEmpty() ? id.substring(0, 12) : "`" + s.name() + "`")
              + " was created from "
              + s.image()
              + " but did not start (it was removed again): "
              + e.getMessage().replaceFirst("^start container [^:]*: ", ""),
          e);
    }
    return id;
  }

  private static CreateContainerCmd create(DockerClient client, ContainerSettings s) {
    HostConfig host = HostConfig.newHostConfig();
    if (!s.binds().isEmpty()) {
      host.withBinds(s.binds().stream().map(Bind::parse).toList());
    }
    s.network().ifPresent(host::withNetworkMode);
    s.restart().ifPresent(r -> host.withRestartPolicy(RestartPolicy.parse(r)));
    if (!s.ports().isEmpty()) {
      host.withPortBindings(s.ports().stream().map(PortBinding::parse).toList());
    }
    CreateContainerCmd cmd =
        client
            .createContainerCmd(s.image())
            .withHostConfig(host)
            .withEnv(s.env())
            .withLabels(s.labels());
    if (!s.name().isEmpty()) {
      cmd.withName(s.name());
    }
    s.command().ifPresent(cmd::withCmd);
    s.entrypoint().ifPresent(cmd::withEntrypoint);
    if (!s.workingDir().isEmpty()) {
      cmd.withWorkingDir(s.workingDir());
    }
    if (!s.user().isEmpty()) {
      cmd.withUser(s.user());
    }
    if (!s.exposedPorts().isEmpty()) {
      cmd.withExposedPorts(s.exposedPorts().stream().map(ExposedPort::parse).toList());
    }
    s.health()
        .ifPresent(
            h -> {
              HealthCheck check = new HealthCheck().withTest(h.test());
              h.interval().ifPresent(d -> check.withInterval(d.toNanos()));
              h.timeout().ifPresent(d -> check.withTimeout(d.toNanos()));
              h.retries().ifPresent(check::withRetries);
              h.startPeriod().ifPresent(d -> check.withStartPeriod(d.toNanos()));
              cmd.withHealthcheck(check);
            });
    return cmd;
  }

  // --- stop, start, remove ---

  public Result stop(ContainerTarget target, Optional<Duration> grace, Io io) {
    for (Found c : select(target, false, "stop", io)) {
      if (!c.running()) {
        io.out().note("container " + c.name() + " is " + c.state() + " already");
        continue;
      }
      stopOne(c.id(), c.name(), grace, io);
    }
    return Result.of(Map.of());
  }

  public Result start(ContainerTarget target, Io io) {
    for (Found c : select(target, true, "start", io)) {
      if (c.state().equals("running")) {
        io.out().note("container " + c.name() + " is running already");
        continue;
      }
      startOne(c.id(), c.name(), io);
      io.out().note("started container " + c.name());
    }
    return Result.of(Map.of());
  }

  public Result remove(ContainerTarget target, boolean force, Io io) {
    if (target.name().isPresent() && findContainer(target.name().get(), io).isEmpty()) {
      // Removing is reaching a state: a compensation may meet the container gone already.
      io.out().note("no container named " + target.name().get() + ": nothing to remove");
      return Result.of(Map.of());
    }
    List<Found> selected = select(target, true, "remove", io);
    if (!force) {
      List<String> running = new ArrayList<>();
      for (Found c : selected) {
        if (c.running()) {
          running.add(c.name());
        }
      }
      if (!running.isEmpty()) {
        throw new DockerActionException(
            (running.size() == 1
                    ? "container `" + running.get(0) + "` is running"
                    : "containers `" + String.join("`, `", running) + "` are running")
                + ": stop it first, or give `force: true` to remove it running");
      }
    }
    for (Found c : selected) {
      removeOne(c.id(), c.name(), force, io);
    }
    return Result.of(Map.of());
  }

  /**
   * The containers a target names: the named one (which must exist), or every one with the label
   * (none is fine).
   *
   * @param all include stopped containers when selecting by label
   */
  private List<Found> select(ContainerTarget target, boolean all, String verb, Io io) {
    if (target.name().isPresent()) {
      String name = target.name().get();
      InspectContainerResponse c =
          findContainer(name, io).orElseThrow(() -> noContainer(name, verb));
      return List.of(new Found(c.getId(), name, status(c)));
    }
    List<Container> listed =
        docker.call(
            "list " + target.describe(),
            io.limit(REQUEST_LIMIT),
            io.stop(),
            (client, cancel) ->
                client
                    .listContainersCmd()
                    .withShowAll(all)
                    .withLabelFilter(Map.of(target.labelKey(), target.labelValue()))
                    .exec());
    List<Found> found = new ArrayList<>();
    for (Container c : listed) {
      found.add(new Found(c.getId(), name(c), String.valueOf(c.getState())));
    }
    if (found.isEmpty()) {
      io.out()
          .note(
              "no "
                  + (all ? "" : "running ")
                  + "container is labelled "
                  + target.label().orElseThrow()
                  + ": nothing to "
                  + verb);
    } else {
      List<String> names = new ArrayList<>();
      found.forEach(c -> names.add(c.name()));
      io.out().note(verb + ": " + String.join(", ", names));
    }
    return found;
  }

  /** A selected container: what stop, start and remove need of it. */
  private record Found(String id, String name, String state) {
    boolean running() {
      return state.equals("running") || state.equals("restarting");
    }
  }

  private void stopOne(String id, String name, Optional<Duration> grace, Io io) {
    Duration limit = grace.orElse(Duration.ofSeconds(10)).plus(REQUEST_LIMIT);
    boolean stopped =
        docker.call(
            "stop container " + name,
            io.limit(limit),
            io.stop(),
            (client, cancel) -> {
              StopContainerCmd cmd = client.stopContainerCmd(id);
              grace.ifPresent(g -> cmd.withTimeout((int) Math.max(0, (g.toMillis() + 999) / 1000)));
              try {
                cmd.exec();
                return true;
              } catch (NotModifiedException e) {
                return false;
              }
            });
    io.out()
        .note(
            stopped
                ? "stopped container "
                    + name
                    + grace.map(g -> " (grace " + Durations.format(g) + ")").orElse("")
                : "container " + name + " had stopped already");
  }

  private void startOne(String id, String name, Io io) {
    docker.call(
        "start container " + name,
        io.limit(REQUEST_LIMIT),
        io.stop(),
        (client, cancel) -> {
          try {
            client.startContainerCmd(id).exec();
          } catch (NotModifiedException e) {
            // running already: the desired state
          }
          return null;
        });
  }

  private void removeOne(String id, String name, boolean force, Io io) {
    docker.call(
        "remove container " + name,
        io.limit(REQUEST_LIMIT),
        io.stop(),
        (client, cancel) -> {
          try {
            client.removeContainerCmd(id).withForce(force).withRemoveVolumes(false).exec();
          } catch (NotFoundException e) {
            // gone already: the desired state
          }
          return null;
        });
    io.out().note("removed container " + name + (force ? " (forced)" : ""));
  }

  // --- exec, logs, wait_healthy ---

  public Result exec(String container, List<String> argv, Io io) {
    InspectContainerResponse c =
        findContainer(container, io).orElseThrow(() -> noContainer(container, "exec in"));
    if (!isRunning(c)) {
      throw new DockerActionException(
          "container `" + container + "` is " + describe(c) + ": exec needs a running container");
    }
    io.out().note("exec in container " + container + ": " + String.join(" ", argv));
    long exitCode;
    try {
      exitCode =
          docker.call(
              "exec in container " + container,
              io.remaining(),
              io.stop(),
              (client, cancel) -> {
                String execId =
                    client
                        .execCreateCmd(c.getId())
                        .withAttachStdout(true)
                        .withAttachStderr(true)
                        .withCmd(argv.toArray(new String[0]))
                        .exec()
                        .getId();
                ResultCallback.Adapter<Frame> frames = frames(io, false);
                cancel.onCancel(frames);
                client.execStartCmd(execId).exec(frames).awaitCompletion();
                Long code = client.inspectExecCmd(execId).exec().getExitCodeLong();
                return code == null ? -1L : code;
              });
    } catch (DockerInterruptedException e) {
      throw e;
    } catch (DockerActionException e) {
      if (e.getMessage().contains("did not finish within")) {
        throw new DockerActionException(
            "timed out; the command may still be running in container `"
                + container
                + "` (the Docker Engine cannot stop an exec)",
            e);
      }
      throw e;
    }
    Map<String, Object> outputs = Map.of("exit_code", exitCode);
    if (exitCode == 0) {
      return Result.of(outputs);
    }
    List<String> tail = io.out().tail();
    String last = "";
    for (int i = tail.size() - 1; i >= 0; i--) {
      if (!tail.get(i).startsWith("[runbook] ")) {
        last = ": " + tail.get(i);
        break;
      }
    }
    return new Result(outputs, Optional.of("exit " + exitCode + last));
  }

  public Result logs(String container, Optional<Integer> tail, Io io) {
    InspectContainerResponse c =
        findContainer(container, io).orElseThrow(() -> noContainer(container, "read the log of"));
    docker.call(
        "read the log of container " + container,
        io.limit(REQUEST_LIMIT),
        io.stop(),
        (client, cancel) -> {
          LogContainerCmd cmd = client.logContainerCmd(c.getId()).withStdOut(true).withStdErr(true);
          if (tail.isPresent()) {
            cmd.withTail(tail.get());
          } else {
            cmd.withTailAll();
          }
          ResultCallback.Adapter<Frame> frames = frames(io, true);
          cancel.onCancel(frames);
          cmd.exec(frames).awaitCompletion();
          return null;
        });
    return Result.of(Map.of());
  }

  /**
   * Passes a container's output frames on.
   *
   * @param allToStdout the container's stderr counts as the step's stdout too (a log is the step's
   *     output as a whole)
   */
  private static ResultCallback.Adapter<Frame> frames(Io io, boolean allToStdout) {
    return new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        byte[] payload = frame.getPayload();
        if (payload == null || payload.length == 0) {
          return;
        }
        LineListener.Source source =
            frame.getStreamType() == StreamType.STDERR && !allToStdout
                ? LineListener.Source.STDERR
                : LineListener.Source.STDOUT;
        io.out().write(source, payload, 0, payload.length);
      }
    };
  }

  /**
   * Waits until the container's health check passes, within {@code timeout} and the step's time.
   * When it cannot (the container exits, crash-loops, or is still not healthy when the time is up),
   * its last log lines are kept in the step log first: a rollback may remove the container, and
   * with it the only account of why it failed.
   */
  public Result waitHealthy(String container, Duration timeout, Io io) {
    Instant deadline = Instant.now().plus(timeout);
    String waited = "after " + Durations.format(timeout);
    if (io.deadline().isPresent() && io.deadline().get().isBefore(deadline)) {
      deadline = io.deadline().get();
      waited = "when the step's timeout ran out";
    }
    String lastStatus = null;
    while (true) {
      InspectContainerResponse c =
          findContainer(container, io).orElseThrow(() -> noContainer(container, "wait for"));
      HealthState health = c.getState() == null ? null : c.getState().getHealth();
      if (health == null || health.getStatus() == null) {
        throw new DockerActionException(
            "container `"
                + container
                + "` has no health check: give its run step a `health:`, or wait for another"
                + " check (a `wait:` step)");
      }
      String status = health.getStatus();
      if (!status.equals(lastStatus)) {
        io.out().note("container " + container + " is " + status);
        lastStatus = status;
      }
      if (status.equals("healthy")) {
        return Result.of(Map.of());
      }
      int restarts = c.getRestartCount() == null ? 0 : c.getRestartCount();
      if (!isRunning(c)) {
        keepLastLines(c.getId(), container, io);
        throw new DockerActionException(
            "container `"
                + container
                + "` "
                + ended(c)
                + (restarts > 0 ? " after restarting " + times(restarts) : "")
                + " while waiting for it to be healthy ("
                + describe(c)
                + ")"
                + lastCheck(health));
      }
      if (!Instant.now().isBefore(deadline)) {
        keepLastLines(c.getId(), container, io);
        if (restarts > 0) {
          // A crash loop: each restart resets the health status to `starting`, which says
          // nothing of why; the restarts and the exit code do.
          throw new DockerActionException(
              "container `"
                  + container
                  + "` restarted "
                  + times(restarts)
                  + lastExitCode(c, io).map(code -> " (last exit code " + code + ")").orElse("")
                  + " and was not healthy "
                  + waited
                  + " ("
                  + describe(c)
                  + ")"
                  // Each restart clears the checks' history: "none finished yet" would mislead.
                  + (health.getLog() == null || health.getLog().isEmpty()
                      ? ""
                      : lastCheck(health)));
        }
        Integer streak = health.getFailingStreak();
        throw new DockerActionException(
            "container `"
                + container
                + "` is still "
                + status
                + " "
                + waited
                + (streak != null && streak > 0 ? " (" + streak + " failed checks in a row)" : "")
                + lastCheck(health));
      }
      Duration left = Duration.between(Instant.now(), deadline);
      if (!Pause.sleep(left.compareTo(HEALTH_POLL) < 0 ? left : HEALTH_POLL, io.stop())) {
        throw new DockerInterruptedException();
      }
    }
  }

  /** {@code exited with code 3}, or {@code stopped (dead)} for a container not running. */
  private static String ended(InspectContainerResponse c) {
    String status = status(c);
    Long code = c.getState() == null ? null : c.getState().getExitCodeLong();
    if (status.equals("exited") && code != null) {
      return "exited with code " + code;
    }
    return "stopped (" + status + ")";
  }

  private static String times(int n) {
    return n == 1 ? "once" : n + " times";
  }

  /**
   * The exit code of the container's last end, from the engine's {@code die} events since it was
   * created: a container that is running again after a restart shows exit code 0. Empty when the
   * events cannot be read (a note says why) or hold none.
   */
  private Optional<Long> lastExitCode(InspectContainerResponse c, Io io) {
    Long restarting =
        c.getState() != null && Boolean.TRUE.equals(c.getState().getRestarting())
            ? c.getState().getExitCodeLong()
            : null;
    if (restarting != null) {
      return Optional.of(restarting);
    }
    String since;
    try {
      since = String.valueOf(Instant.parse(c.getCreated()).getEpochSecond());
    } catch (RuntimeException e) {
      since = "0";
    }
    String from = since;
    // Up to now, not later: the engine streams events until `until`, so a later one would wait.
    Instant now = Instant.now();
    String until = now.getEpochSecond() + "." + String.format("%09d", now.getNano());
    try {
      return docker.call(
          "read the events of container " + c.getId().substring(0, 12),
          Optional.of(KEEP_LOG_LIMIT),
          io.stop(),
          (client, cancel) -> {
            AtomicReference<String> code = new AtomicReference<>();
            ResultCallback.Adapter<Event> events =
                new ResultCallback.Adapter<>() {
                  @Override
                  public void onNext(Event event) {
                    if (event.getActor() != null && event.getActor().getAttributes() != null) {
                      String exit = event.getActor().getAttributes().get("exitCode");
                      if (exit != null) {
                        code.set(exit);
                      }
                    }
                  }
                };
            cancel.onCancel(events);
            client
                .eventsCmd()
                .withContainerFilter(c.getId())
                .withEventFilter("die")
                .withSince(from)
                .withUntil(until)
                .exec(events)
                .awaitCompletion();
            return code.get() == null
                ? Optional.<Long>empty()
                : Optional.of(Long.valueOf(code.get()));
          });
    } catch (DockerActionException | NumberFormatException e) {
      io.out()
          .note(
              "could not read the exit code of container "
                  + c.getId().substring(0, 12)
                  + ": "
                  + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Copies the container's last {@link #KEPT_LOG_LINES} log lines (stdout and stderr as they came)
   * into the step log, masked like all of it, so they outlive the container: a rollback removes
   * what the run created. Best effort: a log that cannot be read is a note, not a second failure.
   */
  void keepLastLines(String id, String shown, Io io) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      docker.call(
          "read the log of container " + shown,
          Optional.of(KEEP_LOG_LIMIT),
          io.stop(),
          (client, cancel) -> {
            ResultCallback.Adapter<Frame> frames =
                new ResultCallback.Adapter<>() {
                  @Override
                  public void onNext(Frame frame) {
                    byte[] payload = frame.getPayload();
                    if (payload != null) {
                      synchronized (bytes) {
                        bytes.write(payload, 0, payload.length);
                      }
                    }
                  }
                };
            cancel.onCancel(frames);
            client
                .logContainerCmd(id)
                .withStdOut(true)
                .withStdErr(true)
                .withTail(KEPT_LOG_LINES)
                .exec(frames)
                .awaitCompletion();
            return null;
          });
    } catch (DockerActionException e) {
      io.out().note("could not keep the log of container " + shown + ": " + e.getMessage());
      return;
    }
    String text;
    synchronized (bytes) {
      text = bytes.toString(StandardCharsets.UTF_8);
    }
    List<String> lines = text.lines().toList();
    lines = lines.subList(Math.max(0, lines.size() - KEPT_LOG_LINES), lines.size());
    if (lines.isEmpty()) {
      io.out().note("container " + shown + " has written nothing to its log");
      return;
    }
    io.out()
        .note(
            "the last "
                + (lines.size() == 1 ? "line" : lines.size() + " lines")
                + " of container "
                + shown
                + "'s log:");
    for (String line : lines) {
      String kept = line.stripTrailing();
      if (kept.length() > KEPT_LINE_CHARS) {
        kept = kept.substring(0, KEPT_LINE_CHARS) + "…";
      }
      io.out().note(shown + " | " + kept);
    }
  }

  /** {@code ; last health check: exit 1: output}, or nothing when there is none yet. */
  private static String lastCheck(HealthState health) {
    List<HealthStateLog> log = health.getLog();
    if (log == null || log.isEmpty()) {
      return "; no health check has finished yet";
    }
    HealthStateLog last = log.get(log.size() - 1);
    String output = last.getOutput() == null ? "" : last.getOutput().strip();
    List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    String text = String.join(" / ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    if (text.length() > 400) {
      text = text.substring(0, 400) + "…";
    }
    return "; last health check: exit "
        + last.getExitCodeLong()
        + (text.isEmpty() ? " (no output)" : ": " + text);
  }

  // --- look-ups ---

  Optional<InspectContainerResponse> findContainer(String name, Io io) {
    return docker.call(
        "inspect container " + name,
        io.limit(REQUEST_LIMIT),
        io.stop(),
        (client, cancel) -> {
          try {
            return Optional.of(client.inspectContainerCmd(name).exec());
          } catch (NotFoundException e) {
            return Optional.empty();
          }
        });
  }

  Optional<InspectImageResponse> findImage(String image, Io io) {
    return docker.call(
        "inspect image " + image,
        io.limit(REQUEST_LIMIT),
        io.stop(),
        (client, cancel) -> {
          try {
            return Optional.of(client.inspectImageCmd(image).exec());
          } catch (NotFoundException e) {
            return Optional.empty();
          }
        });
  }

  private DockerActionException noContainer(String name, String verb) {
    return new DockerActionException(
        "no container named `"
            + name
            + "` on the Docker Engine at "
            + docker.endpoint().host()
            + " to "
            + verb);
  }

  private DockerActionException noImage(String image, String toDo) {
    return new DockerActionException(
        "image "
            + image
            + " is not on the Docker Engine at "
            + docker.endpoint().host()
            + ": pull it first (a `docker: { pull: "
            + image
            + " }` step) to "
            + toDo
            + ", or check the name");
  }

  /** The image's digest in the repository {@code ref} names, else its first; empty if none. */
  static String digest(InspectImageResponse image, ImageRef ref) {
    List<String> digests = image.getRepoDigests();
    if (digests == null || digests.isEmpty()) {
      return "";
    }
    String chosen = digests.get(0);
    for (String d : digests) {
      if (d.startsWith(ref.repository() + "@")) {
        chosen = d;
        break;
      }
    }
    int at = chosen.indexOf('@');
    return at < 0 ? "" : chosen.substring(at + 1);
  }

  static boolean isRunning(InspectContainerResponse c) {
    return c.getState() != null && Boolean.TRUE.equals(c.getState().getRunning());
  }

  static String status(InspectContainerResponse c) {
    return c.getState() == null || c.getState().getStatus() == null
        ? "unknown"
        : c.getState().getStatus();
  }

  /** {@code running, image app:1.3, id 4f3a2b1c0d9e} or {@code exited (code 1), image ...}. */
  static String describe(InspectContainerResponse c) {
    String status = status(c);
    StringBuilder out = new StringBuilder(status);
    if (status.equals("exited") && c.getState().getExitCodeLong() != null) {
      out.append(" (code ").append(c.getState().getExitCodeLong()).append(')');
    }
    HealthState health = c.getState() == null ? null : c.getState().getHealth();
    if (health != null && health.getStatus() != null && isRunning(c)) {
      out.append(", ").append(health.getStatus());
    }
    out.append(", image ").append(c.getConfig() == null ? "?" : c.getConfig().getImage());
    out.append(", id ").append(c.getId(), 0, Math.min(12, c.getId().length()));
    return out.toString();
  }

  static Map<String, String> labels(InspectContainerResponse c) {
    return c.getConfig() == null || c.getConfig().getLabels() == null
        ? Map.of()
        : c.getConfig().getLabels();
  }

  private static String name(Container c) {
    String[] names = c.getNames();
    if (names == null || names.length == 0) {
      return c.getId().substring(0, Math.min(12, c.getId().length()));
    }
    return names[0].replaceFirst("^/", "");
  }

  private static void line(Io io, String text) {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    io.out().write(LineListener.Source.STDOUT, bytes, 0, bytes.length);
  }
}
