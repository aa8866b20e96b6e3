package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RootCommandTest {
  @Test
  void eachSubcommandIsListedUnderTheNameItDeclares() {
    for (Map.Entry<String, java.util.function.Supplier<Object>> e :
        RootCommand.SUBCOMMANDS.entrySet()) {
      assertThat(new CommandLine(e.getValue().get()).getCommandName()).isEqualTo(e.getKey());
    }
  }

  @Test
  void aCommandLineNamingASubcommandHasOnlyThatOne() {
    assertThat(
            RootCommand.commandLine(new String[] {"--debug", "validate", "x.yaml"})
                .getSubcommands())
        .containsOnlyKeys("validate");
  }

  @Test
  void helpCompletionAndCommandLinesNamingNoKnownSubcommandHaveThemAll() {
    for (String[] args :
        new String[][] {
          {}, {"--help"}, {"help", "run"}, {"completion"}, {"valdate", "x.yaml"}, {"--", "run"}
        }) {
      assertThat(RootCommand.commandLine(args).getSubcommands().keySet())
          .as(String.join(" ", args))
          .containsExactlyElementsOf(RootCommand.SUBCOMMANDS.keySet());
    }
  }

  @Test
  void usageListsEverySubcommand() {
    StringWriter out = new StringWriter();
    int code = Main.run(new String[] {"--help"}, new PrintWriter(out), new PrintWriter(out));
    assertThat(code).isZero();
    for (String name : RootCommand.SUBCOMMANDS.keySet()) {
      assertThat(out.toString()).contains("  " + name + " ");
    }
  }

  @Test
  void aMisspeltSubcommandIsStillSuggested() {
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new String[] {"valdate", "x.yaml"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("validate");
  }
}
