package dev.runbook.engine.internal.render;

import static dev.runbook.engine.internal.render.Shells.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runbook.dsl.model.Template;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value in arithmetic is only a warning (the DSL's {@code ScriptRules}, tested with real shells
 * in dsl-schema): the rendering goes ahead, and what bash then does with it is why it is warned.
 */
class ShellTemplateArithmeticTest {
  @TempDir Path dir;

  @Test
  void aValueInArithmeticIsRenderedAsAVariable() {
    Template script =
        template("echo $(( ${{ params.port }} + 1 )) \"$(( 2 * (${{ params.port }}) ))\"");

    assertThat(
            ShellTemplate.render(script, Bindings.of(Map.of("params", Map.of("port", 80))))
                .script())
        .isEqualTo("echo $(( ${RB_1} + 1 )) \"$(( 2 * (${RB_2}) ))\"");
  }

  @Test
  void bashRunsACommandHiddenInAValueUsedInArithmeticWhichIsWhyItIsWarned() throws Exception {
    List<String> bash = Shells.posixShells().get(Shells.posixShells().size() - 1);
    assumeTrue(bash.get(0).endsWith("bash"), "needs bash");
    RenderedScript script =
        ShellTemplate.render(
            template("echo $(( ${{ params.n }} ))"),
            Bindings.of(Map.of("params", Map.of("n", "a[$(touch MARKER)]"))));

    Shells.runScript(bash, script, dir, Map.of());

    assertThat(dir.resolve("MARKER")).exists();
  }
}
