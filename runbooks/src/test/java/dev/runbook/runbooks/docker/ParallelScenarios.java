package dev.runbook.runbooks.docker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Scenarios that share one engine, run a few at a time (each on its own deployment, container name,
 * port and state directory: most of a scenario is waiting on containers), each reported as a
 * dynamic test of its own that checks the scenario's outcome.
 */
final class ParallelScenarios {
  /** How many scenarios run at once. */
  static final int PARALLEL = 3;

  private ParallelScenarios() {}

  /**
   * Starts every scenario now, in order, {@link #PARALLEL} at a time; the test named after a
   * scenario waits for its outcome and hands it to {@code check}.
   */
  static <T> Stream<DynamicTest> run(
      Map<String, Callable<T>> scenarios, ThrowingConsumer<T> check) {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    Map<String, Future<T>> running = new LinkedHashMap<>();
    scenarios.forEach((name, scenario) -> running.put(name, pool.submit(scenario)));
    // Lets the submitted scenarios finish, then the threads end.
    pool.shutdown();
    List<DynamicTest> tests = new ArrayList<>();
    running.forEach(
        (name, future) ->
            tests.add(DynamicTest.dynamicTest(name, () -> check.accept(outcome(future)))));
    return tests.stream();
  }

  private static <T> T outcome(Future<T> future) throws Throwable {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }
}
