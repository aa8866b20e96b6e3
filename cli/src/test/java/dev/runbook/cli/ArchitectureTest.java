package dev.runbook.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_THROW_GENERIC_EXCEPTIONS;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the dependencies one way (cli → engine → dsl), each module's {@code internal} package its
 * own, and the model free of behaviour.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // Test fixtures shared as test-jars (the engine's private dockerd) are tests too.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.runbook");
  }

  /**
   * A rule over classes that were never imported passes on nothing: a changed class path or package
   * name would turn every rule below green without checking anything. Each module must be there.
   */
  @Test
  void theImportFindsEveryModulesClasses() {
    assertThat(classes.size()).as("classes imported").isGreaterThan(250);
    assertThat(classes.that(resideInAPackage("dev.runbook.dsl..")).size()).isGreaterThan(40);
    assertThat(classes.that(resideInAPackage("dev.runbook.engine..")).size()).isGreaterThan(80);
    assertThat(classes.that(resideInAPackage("dev.runbook.cli..")).size()).isGreaterThan(20);
  }

  @Test
  void dependenciesPointOneWayFromCliToEngineToDsl() {
    layeredArchitecture()
        .consideringOnlyDependenciesInAnyPackage("dev.runbook..")
        .layer("cli")
        .definedBy("dev.runbook.cli..")
        .layer("engine")
        .definedBy("dev.runbook.engine..")
        .layer("dsl")
        .definedBy("dev.runbook.dsl..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("engine")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("dsl")
        .mayOnlyBeAccessedByLayers("engine", "cli")
        .check(classes);
  }

  /** What a module keeps in {@code internal} may change with it; other modules use its API. */
  @Test
  void noModuleUsesAnotherModulesInternals() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.runbook.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.runbook.engine.internal..")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.runbook.dsl..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.runbook.dsl.internal..")
        .check(classes);
  }

  /**
   * A {@code RuntimeException} says nothing a caller can act on, and an operator's mistake must end
   * in a one-line message, not "internal error": throw a type that names the failure.
   */
  @Test
  void noClassThrowsAGenericException() {
    NO_CLASSES_SHOULD_THROW_GENERIC_EXCEPTIONS.check(classes);
  }

  @Test
  void engineDoesNotDependOnCliOrTerminalLibraries() {
    noClasses()
        .that()
        .resideInAPackage("dev.runbook.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.runbook.cli..", "picocli..", "org.jline..")
        .check(classes);
  }

  @Test
  void engineNeverTouchesTheConsoleOrExits() {
    noClasses()
        .that()
        .resideInAPackage("dev.runbook.engine..")
        .should()
        .accessField(System.class, "out")
        .orShould()
        .accessField(System.class, "err")
        .orShould()
        .accessField(System.class, "in")
        .orShould()
        .callMethod(System.class, "exit", int.class)
        .check(classes);
  }

  @Test
  void onlyTheTerminalPackageUsesJline() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.runbook.cli.terminal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.jline..")
        .check(classes);
  }

  @Test
  void onlyMainCallsSystemExit() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(Main.class.getName())
        .should()
        .callMethod(System.class, "exit", int.class)
        .check(classes);
  }

  @Test
  void modelDependsOnTheJdkOnly() {
    classes()
        .that()
        .resideInAPackage("dev.runbook.dsl.model..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.runbook.dsl.model..")
        .check(classes);
  }

  @Test
  void modelTypesAreRecordsEnumsOrSealedInterfaces() {
    classes()
        .that()
        .resideInAPackage("dev.runbook.dsl.model..")
        .and()
        .areNotInterfaces()
        .and()
        .areNotEnums()
        .and()
        .doNotHaveSimpleName("package-info")
        .should()
        .beAssignableTo(Record.class)
        .check(classes);
  }

  /** Within a module, the API facade and its internal package may call each other. */
  @Test
  void modulesHaveNoCycles() {
    slices().matching("dev.runbook.(*)..").should().beFreeOfCycles().check(classes);
  }
}
