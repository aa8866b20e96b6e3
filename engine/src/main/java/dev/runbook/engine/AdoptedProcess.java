package dev.runbook.engine;

import dev.runbook.engine.internal.process.Adoption;
import dev.runbook.engine.internal.process.ProcessResult;

/**
 * A step's (or compensation's) process that the engine which died had started, whose end a resume
 * learned ({@link Replay#adoptInFlight()}): its result stands for the try that was in flight. Its
 * raw output directory stays until the step's end is journaled, so that an engine killed in between
 * finds the same result again.
 */
record AdoptedProcess(ProcessResult result, Adoption adoption) {}
