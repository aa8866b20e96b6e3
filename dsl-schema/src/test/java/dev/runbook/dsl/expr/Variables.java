package dev.runbook.dsl.expr;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Variables shaped as the engine gives them: plain nested maps. */
final class Variables {
  private Variables() {}

  static Map<String, Object> sample() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("install_dir", "/opt/seqdesk");
    params.put("stop_cmd", "systemctl stop seqdesk");
    params.put("port", 3000);
    params.put("ratio", 1.5);
    params.put("force", true);
    params.put("nothing", null);

    Map<String, Object> vars = new HashMap<>();
    vars.put("params", params);
    vars.put("env", Map.of("NODE_ENV", "production", "HOME", "/root"));
    vars.put(
        "steps",
        Map.of(
            "version", step("succeeded", Map.of("rows", "12", "version", "1.4.2")),
            "stop-old", step("succeeded", Map.of()),
            "probe", step("succeeded", Map.of("ready", "true"))));
    vars.put("run", Map.of("id", "20261123-0712-seqdesk-rollback-3f9a", "dir", "/state/runs/x"));
    return vars;
  }

  private static Map<String, Object> step(String status, Map<String, Object> outputs) {
    return Map.of("status", status, "outputs", outputs);
  }
}
