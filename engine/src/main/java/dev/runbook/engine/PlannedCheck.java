package dev.runbook.engine;

import java.util.Optional;

/**
 * A check as planned: its name, what it tests with values resolved (secrets masked), and its live
 * result when it was evaluated.
 */
public record PlannedCheck(String name, String description, Optional<CheckOutcome> live) {}
