package dev.runbook.engine;

import dev.runbook.dsl.model.OnFailure;
import java.util.Optional;

/**
 * How {@code run} was asked to behave.
 *
 * @param onFailure overrides the runbook's {@code on_failure}; empty keeps it
 * @param engineVersion recorded in the journal's {@code run_started}
 */
public record RunOptions(Optional<OnFailure> onFailure, String engineVersion) {}
