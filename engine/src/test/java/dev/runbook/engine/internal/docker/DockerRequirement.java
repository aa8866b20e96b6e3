package dev.runbook.engine.internal.docker;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether a Docker test that cannot get what it needs (root, {@code dockerd}, busybox, a registry,
 * sqlite3, openssl, a daemon that starts) is skipped or fails.
 *
 * <p>In CI the Docker tests are the proof that the {@code docker} action and check work: a machine
 * where the daemon cannot start must fail the build, not report every Docker test skipped and pass.
 * So they are <em>required</em> when the system property {@value #PROPERTY} is {@code true}, or,
 * when that property is not set, when the environment variable {@code CI} is {@code true} (as
 * {@code bash .ci/run} runs). Surefire and failsafe pass both on to the test JVM: the environment
 * by inheritance, a {@code -D} of the Maven command line as a system property. A developer's run
 * without an engine skips them with the reason; {@code -Drunbook.docker.required=true} makes such a
 * run insist, {@code =false} lets a CI-like run skip.
 */
public final class DockerRequirement {
  /** The system property that says whether the Docker tests are required. */
  public static final String PROPERTY = "runbook.docker.required";

  private DockerRequirement() {}

  /** Whether a missing part fails the calling test rather than skipping it. */
  public static boolean required() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return Boolean.parseBoolean(property.strip());
    }
    return "true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip());
  }

  /**
   * Goes on when {@code condition} holds; otherwise fails the calling test when the Docker tests
   * are {@linkplain #required() required}, and skips it (a JUnit assumption) when they are not.
   */
  public static void need(boolean condition, String reason) {
    if (!condition) {
      unavailable(reason);
    }
  }

  /**
   * Fails the calling test when the Docker tests are {@linkplain #required() required}, and skips
   * it otherwise; never returns.
   */
  public static void unavailable(String reason) {
    if (required()) {
      Assertions.fail(
          reason + " (the Docker tests are required here: " + PROPERTY + "=true or CI=true)");
    }
    Assumptions.abort(reason);
  }
}
