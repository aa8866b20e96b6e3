package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class DockerRequirementTest {
  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty(DockerRequirement.PROPERTY);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(DockerRequirement.PROPERTY);
    } else {
      System.setProperty(DockerRequirement.PROPERTY, saved);
    }
  }

  @Test
  void aMissingPartFailsTheTestWhenDockerIsRequired() {
    System.setProperty(DockerRequirement.PROPERTY, "true");

    assertThat(DockerRequirement.required()).isTrue();
    assertThatThrownBy(() -> DockerRequirement.need(false, "dockerd is not installed"))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageStartingWith("dockerd is not installed (the Docker tests are required here");
  }

  @Test
  void aMissingPartSkipsTheTestWithItsReasonWhenDockerIsNotRequired() {
    System.setProperty(DockerRequirement.PROPERTY, "false");

    assertThat(DockerRequirement.required()).isFalse();
    assertThatThrownBy(() -> DockerRequirement.need(false, "dockerd is not installed"))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("dockerd is not installed");
  }

  @Test
  void withoutThePropertyTheCiVariableDecides() {
    System.clearProperty(DockerRequirement.PROPERTY);

    assertThat(DockerRequirement.required())
        .isEqualTo("true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip()));
  }

  @Test
  void aPartThatIsThereLetsTheTestGoOn() {
    System.setProperty(DockerRequirement.PROPERTY, "true");

    DockerRequirement.need(true, "never said");
  }
}
