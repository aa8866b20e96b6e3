package dev.runbook.engine;

import java.util.Optional;

/**
 * How {@code resume} treats what the interruption left open.
 *
 * @param rerunInflight run the in-flight step again (when its verify does not already pass)
 * @param skipInflight count the in-flight step as done
 * @param confirm the {@code confirm} step the operator confirms with {@code --confirm STEP}
 */
public record ResumeOptions(
    boolean rerunInflight, boolean skipInflight, Optional<String> confirm) {}
