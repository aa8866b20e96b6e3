package dev.runbook.engine.internal.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * What a {@code run} step with {@code replace: true} records, in the journal, of the container it
 * stops and removes: enough to create it again as it was (its image by id, environment, command,
 * entrypoint, working directory, user, labels, binds and volumes, network mode, port bindings,
 * restart policy and health check) and whether it was running.
 *
 * <p>Secrets never reach the record. An environment value that contains the value of one of the
 * run's secret parameters is recorded as text and references to that parameter, and gets the
 * parameter's value back when the container is recreated (secrets are supplied again on resume). A
 * variable that the step itself fills from a secret, but whose old value is no secret this run
 * knows (a rotated password, say), is recorded as withheld: the recreated container gets the value
 * the step gave the new one, and the compensation's log says so.
 *
 * <p>Not recorded: resource limits, capabilities, devices, extra hosts, log drivers and networks
 * joined after creation; a container that relies on those is recreated without them.
 *
 * @param id the removed container's id
 * @param image the image as the container named it ({@code app:1.3}), for messages and the {@code
 *     replaced_image} output
 * @param imageId the image's id: what the container is recreated from
 * @param env each variable with its value, its parts, or withheld
 */
public record ReplacedContainer(
    String id,
    String name,
    String image,
    String imageId,
    boolean running,
    List<EnvVar> env,
    Optional<List<String>> command,
    Optional<List<String>> entrypoint,
    String workingDir,
    String user,
    Map<String, String> labels,
    List<String> binds,
    Optional<String> network,
    Optional<String> restart,
    Optional<ContainerSettings.Health> health,
    List<String> ports,
    List<String> exposedPorts) {
  public ReplacedContainer {
    env = List.copyOf(env);
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    binds = List.copyOf(binds);
    ports = List.copyOf(ports);
    exposedPorts = List.copyOf(exposedPorts);
  }

  /**
   * One environment variable.
   *
   * @param parts literal text and secret parameter references, in order; empty when withheld
   * @param withheld the value was a secret this run does not know: not recorded
   */
  public record EnvVar(String name, List<Part> parts, boolean withheld) {
    public EnvVar {
      parts = List.copyOf(parts);
    }
  }

  /**
   * Text, or the value of a secret parameter.
   *
   * @param text the literal text; empty for a parameter reference
   * @param param the secret parameter's name; empty for text
   */
  public record Part(Optional<String> text, Optional<String> param) {}

  /**
   * Records {@code c}.
   *
   * @param secretParams the run's secret parameters: name to value
   * @param secretKeys environment variables the step fills from a secret
   */
  static ReplacedContainer of(
      InspectContainerResponse c, Map<String, String> secretParams, Set<String> secretKeys) {
    ContainerConfig config = c.getConfig();
    HostConfig host = c.getHostConfig();
    List<EnvVar> env = new ArrayList<>();
    String[] vars = config.getEnv() == null ? new String[0] : config.getEnv();
    for (String v : vars) {
      int eq = v.indexOf('=');
      String key = eq < 0 ? v : v.substring(0, eq);
      String value = eq < 0 ? "" : v.substring(eq + 1);
      env.add(envVar(key, value, secretParams, secretKeys));
    }
    List<String> binds = new ArrayList<>();
    Set<String> boundPaths = new HashSet<>();
    if (host != null && host.getBinds() != null) {
      for (Bind b : host.getBinds()) {
        String dest = b.getVolume().getPath();
        boundPaths.add(dest);
        boolean ro = b.getAccessMode() != null && b.getAccessMode().name().equals("ro");
        binds.add(b.getPath() + ":" + dest + (ro ? ":ro" : ""));
      }
    }
    if (c.getMounts() != null) {
      // Volumes the image declares get anonymous volumes: mount the same one again, or its data
      // would be left behind.
      for (InspectContainerResponse.Mount m : c.getMounts()) {
        if (m.getName() != null
            && m.getDestination() != null
            && !boundPaths.contains(m.getDestination().getPath())) {
          binds.add(
              m.getName()
                  + ":"
                  + m.getDestination().getPath()
                  + (Boolean.FALSE.equals(m.getRW()) ? ":ro" : ""));
        }
      }
    }
    Optional<String> restart = Optional.empty();
    if (host != null && host.getRestartPolicy() != null) {
      RestartPolicy p = host.getRestartPolicy();
      String name = p.getName();
      if (name != null && !name.isEmpty() && !name.equals("no")) {
        Integer max = p.getMaximumRetryCount();
        restart =
            Optional.of(
                name + (name.equals("on-failure") && max != null && max > 0 ? ":" + max : ""));
      }
    }
    Optional<ContainerSettings.Health> health = Optional.empty();
    HealthCheck hc = config.getHealthcheck();
    if (hc != null && hc.getTest() != null && !hc.getTest().isEmpty()) {
      health =
          Optional.of(
              new ContainerSettings.Health(
                  hc.getTest(),
                  nanos(hc.getInterval()),
                  nanos(hc.getTimeout()),
                  Optional.ofNullable(hc.getRetries()).filter(r -> r > 0),
                  nanos(hc.getStartPeriod())));
    }
    List<String> ports = new ArrayList<>();
    if (host != null && host.getPortBindings() != null) {
      for (Map.Entry<ExposedPort, Ports.Binding[]> e :
          host.getPortBindings().getBindings().entrySet()) {
        if (e.getValue() == null) {
          continue;
        }
        for (Ports.Binding b : e.getValue()) {
          String ip = b.getHostIp() == null || b.getHostIp().isEmpty() ? "" : b.getHostIp() + ":";
          String hostPort = b.getHostPortSpec() == null ? "" : b.getHostPortSpec();
          ports.add(ip + hostPort + ":" + e.getKey());
        }
      }
    }
    List<String> exposed = new ArrayList<>();
    if (config.getExposedPorts() != null) {
      for (ExposedPort p : config.getExposedPorts()) {
        exposed.add(p.toString());
      }
    }
    String network = host == null ? null : host.getNetworkMode();
    return new ReplacedContainer(
        c.getId(),
        c.getName().startsWith("/") ? c.getName().substring(1) : c.getName(),
        String.valueOf(config.getImage()),
        c.getImageId(),
        c.getState() != null && Boolean.TRUE.equals(c.getState().getRunning()),
        env,
        Optional.ofNullable(config.getCmd()).map(List::of),
        Optional.ofNullable(config.getEntrypoint()).map(List::of),
        nullToEmpty(config.getWorkingDir()),
        nullToEmpty(config.getUser()),
        config.getLabels() == null ? Map.of() : config.getLabels(),
        binds,
        Optional.ofNullable(network).filter(n -> !n.isEmpty() && !n.equals("default")),
        restart,
        health,
        ports,
        exposed);
  }

  static EnvVar envVar(
      String key, String value, Map<String, String> secretParams, Set<String> secretKeys) {
    // Longest secret first, so a secret that contains a shorter one is matched whole.
    List<Map.Entry<String, String>> secrets = new ArrayList<>();
    secretParams.entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .sorted(
            Comparator.comparingInt((Map.Entry<String, String> e) -> e.getValue().length())
                .reversed())
        .forEach(secrets::add);
    List<Part> parts = new ArrayList<>();
    boolean containsSecret = false;
    StringBuilder text = new StringBuilder();
    int at = 0;
    outer:
    while (at < value.length()) {
      for (Map.Entry<String, String> s : secrets) {
        if (value.startsWith(s.getValue(), at)) {
          if (text.length() > 0) {
            parts.add(new Part(Optional.of(text.toString()), Optional.empty()));
            text.setLength(0);
          }
          parts.add(new Part(Optional.empty(), Optional.of(s.getKey())));
          containsSecret = true;
          at += s.getValue().length();
          continue outer;
        }
      }
      text.append(value.charAt(at++));
    }
    if (text.length() > 0 || parts.isEmpty()) {
      parts.add(new Part(Optional.of(text.toString()), Optional.empty()));
    }
    if (!containsSecret && secretKeys.contains(key)) {
      return new EnvVar(key, List.of(), true);
    }
    return new EnvVar(key, parts, false);
  }

  /**
   * The settings to create the container again with.
   *
   * @param image what to create it from: the recorded image by tag if the tag still names the
   *     recorded image id, else by id
   * @param secretParams the run's secret parameters, name to value
   * @param stepEnv the environment the step gives its new container, for withheld variables
   * @param notes told about each withheld variable and how it was filled
   * @throws DockerActionException if a secret parameter the record refers to has no value now
   */
  ContainerSettings settings(
      String image,
      Map<String, String> secretParams,
      Map<String, String> stepEnv,
      Consumer<String> notes) {
    List<String> vars = new ArrayList<>();
    for (EnvVar v : env) {
      if (v.withheld()) {
        String now = stepEnv.get(v.name());
        if (now == null) {
          notes.accept(v.name() + ": the old value was a secret, not journaled; left unset");
          continue;
        }
        notes.accept(
            v.name()
                + ": the old value was a secret, not journaled; it gets the value the step gave"
                + " the new container");
        vars.add(v.name() + "=" + now);
        continue;
      }
      StringBuilder value = new StringBuilder();
      for (Part p : v.parts()) {
        if (p.param().isPresent()) {
          String secret = secretParams.get(p.param().get());
          if (secret == null) {
            throw new DockerActionException(
                "cannot recreate container `"
                    + name
                    + "`: its "
                    + v.name()
                    + " needs the secret parameter `"
                    + p.param().get()
                    + "`, which has no value now");
          }
          value.append(secret);
        } else {
          value.append(p.text().orElse(""));
        }
      }
      vars.add(v.name() + "=" + value);
    }
    return new ContainerSettings(
        name,
        image,
        vars,
        command,
        entrypoint,
        workingDir,
        user,
        labels,
        binds,
        network,
        restart,
        health,
        ports,
        exposedPorts);
  }

  /** The journal's form: no secret value in it. */
  public JSONObject toJson() {
    JSONArray envJson = new JSONArray();
    for (EnvVar v : env) {
      JSONObject o = new JSONObject().put("name", v.name());
      if (v.withheld()) {
        o.put("withheld", true);
      } else if (v.parts().size() == 1 && v.parts().get(0).text().isPresent()) {
        o.put("value", v.parts().get(0).text().get());
      } else {
        JSONArray parts = new JSONArray();
        for (Part p : v.parts()) {
          parts.put(
              p.param().isPresent()
                  ? new JSONObject().put("secret_param", p.param().get())
                  : new JSONObject().put("text", p.text().orElse("")));
        }
        o.put("parts", parts);
      }
      envJson.put(o);
    }
    JSONObject json =
        new JSONObject()
            .put("id", id)
            .put("name", name)
            .put("image", image)
            .put("image_id", imageId)
            .put("running", running)
            .put("env", envJson)
            .put("working_dir", workingDir)
            .put("user", user)
            .put("labels", new JSONObject(labels))
            .put("binds", new JSONArray(binds))
            .put("ports", new JSONArray(ports))
            .put("exposed_ports", new JSONArray(exposedPorts));
    command.ifPresent(c -> json.put("command", new JSONArray(c)));
    entrypoint.ifPresent(c -> json.put("entrypoint", new JSONArray(c)));
    network.ifPresent(n -> json.put("network", n));
    restart.ifPresent(r -> json.put("restart", r));
    health.ifPresent(
        h -> {
          JSONObject o = new JSONObject().put("test", new JSONArray(h.test()));
          h.interval().ifPresent(d -> o.put("interval_ms", d.toMillis()));
          h.timeout().ifPresent(d -> o.put("timeout_ms", d.toMillis()));
          h.retries().ifPresent(r -> o.put("retries", r));
          h.startPeriod().ifPresent(d -> o.put("start_period_ms", d.toMillis()));
          json.put("health", o);
        });
    return json;
  }

  /** Reads the journal's form back. */
  public static ReplacedContainer fromJson(JSONObject json) {
    List<EnvVar> env = new ArrayList<>();
    JSONArray envJson = json.optJSONArray("env", new JSONArray());
    for (int i = 0; i < envJson.length(); i++) {
      JSONObject o = envJson.getJSONObject(i);
      String name = o.getString("name");
      if (o.optBoolean("withheld")) {
        env.add(new EnvVar(name, List.of(), true));
      } else if (o.has("parts")) {
        List<Part> parts = new ArrayList<>();
        JSONArray p = o.getJSONArray("parts");
        for (int j = 0; j < p.length(); j++) {
          JSONObject part = p.getJSONObject(j);
          parts.add(
              part.has("secret_param")
                  ? new Part(Optional.empty(), Optional.of(part.getString("secret_param")))
                  : new Part(Optional.of(part.optString("text")), Optional.empty()));
        }
        env.add(new EnvVar(name, parts, false));
      } else {
        env.add(
            new EnvVar(
                name,
                List.of(new Part(Optional.of(o.optString("value")), Optional.empty())),
                false));
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    JSONObject l = json.optJSONObject("labels", new JSONObject());
    for (String k : new java.util.TreeSet<>(l.keySet())) {
      labels.put(k, l.getString(k));
    }
    Optional<ContainerSettings.Health> health = Optional.empty();
    JSONObject h = json.optJSONObject("health");
    if (h != null) {
      health =
          Optional.of(
              new ContainerSettings.Health(
                  strings(h.getJSONArray("test")),
                  millis(h, "interval_ms"),
                  millis(h, "timeout_ms"),
                  h.has("retries") ? Optional.of(h.getInt("retries")) : Optional.empty(),
                  millis(h, "start_period_ms")));
    }
    return new ReplacedContainer(
        json.getString("id"),
        json.getString("name"),
        json.getString("image"),
        json.getString("image_id"),
        json.getBoolean("running"),
        env,
        Optional.ofNullable(json.optJSONArray("command")).map(ReplacedContainer::strings),
        Optional.ofNullable(json.optJSONArray("entrypoint")).map(ReplacedContainer::strings),
        json.optString("working_dir"),
        json.optString("user"),
        labels,
        strings(json.optJSONArray("binds", new JSONArray())),
        Optional.ofNullable(json.optString("network", null)),
        Optional.ofNullable(json.optString("restart", null)),
        health,
        strings(json.optJSONArray("ports", new JSONArray())),
        strings(json.optJSONArray("exposed_ports", new JSONArray())));
  }

  private static List<String> strings(JSONArray a) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.length(); i++) {
      out.add(a.getString(i));
    }
    return out;
  }

  private static Optional<Duration> millis(JSONObject o, String key) {
    return o.has(key) ? Optional.of(Duration.ofMillis(o.getLong(key))) : Optional.empty();
  }

  private static Optional<Duration> nanos(Long n) {
    return n == null || n <= 0 ? Optional.empty() : Optional.of(Duration.ofNanos(n));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
