package dev.runbook.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the dependencies one way (cli → engine → dsl) and the model free of behaviour. */
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

  @Test
  void dslDependsOnNeitherEngineNorCli() {
    noClasses()
        .that()
        .resideInAPackage("dev.runbook.dsl..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.runbook.engine..", "dev.runbook.cli..")
        .check(classes);
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
