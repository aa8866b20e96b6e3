package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files for the loader: each {@code invalid/<case>.yaml} beside the problems it must produce
 * in {@code <case>.expected}, each {@code warning/<case>.yaml} loads with exactly the warnings in
 * its {@code <case>.expected}, and each {@code valid/<case>.yaml} loads without error.
 *
 * <p>Run with {@code -Dgolden.update=true} to rewrite the expected files after a deliberate change
 * of wording; review the diff.
 */
class LoaderGoldenTest {
  private static final Path CASES = Path.of("src/test/resources/loader");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TestFactory
  Stream<DynamicTest> invalidRunbooksReportExactlyTheExpectedProblems() throws IOException {
    return yamlFiles(CASES.resolve("invalid"))
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      String actual = render(load(file));
                      Path expectedFile =
                          file.resolveSibling(
                              file.getFileName().toString().replace(".yaml", ".expected"));
                      if (UPDATE || !Files.exists(expectedFile)) {
                        Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
                      }
                      assertThat(actual)
                          .as("problems of %s", file)
                          .isEqualTo(Files.readString(expectedFile, StandardCharsets.UTF_8));
                      assertThat(actual).contains(": error: ");
                    }));
  }

  @TestFactory
  Stream<DynamicTest> runbooksWithWarningsLoadAndReportExactlyTheExpectedWarnings()
      throws IOException {
    return yamlFiles(CASES.resolve("warning"))
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      LoadResult result = load(file);
                      String actual = render(result);
                      Path expectedFile =
                          file.resolveSibling(
                              file.getFileName().toString().replace(".yaml", ".expected"));
                      if (UPDATE) {
                        Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
                      }
                      assertThat(actual)
                          .as("warnings of %s", file)
                          .isEqualTo(Files.readString(expectedFile, StandardCharsets.UTF_8));
                      assertThat(actual).contains(": warning: ").doesNotContain(": error: ");
                      assertThat(result.runbook()).isPresent();
                    }));
  }

  @TestFactory
  Stream<DynamicTest> validRunbooksLoadWithoutErrors() throws IOException {
    // The project's example runbooks must pass the semantic checks too.
    return Stream.of(CASES.resolve("valid"), Path.of("../examples"))
        .flatMap(
            dir -> {
              try {
                return yamlFiles(dir);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      LoadResult result = load(file);
                      assertThat(render(result)).isEmpty();
                      assertThat(result.runbook()).isPresent();
                    }));
  }

  static LoadResult load(Path file) {
    String display = file.startsWith(CASES) ? CASES.relativize(file).toString() : file.toString();
    return new RunbookLoader().load(file, display);
  }

  static String render(LoadResult result) {
    StringBuilder out = new StringBuilder();
    for (Problem p : result.problems()) {
      out.append(p.headline()).append('\n');
      p.hint().ifPresent(h -> out.append("  hint: ").append(h).append('\n'));
    }
    return out.toString();
  }

  private static Stream<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> list =
          files.filter(f -> f.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
      return list.stream();
    }
  }
}
