package dev.runbook.engine.rehearsal;

import dev.runbook.engine.journal.JournalRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Chooses the kill trials' moments from the journals of earlier trials: every record of the clean
 * run before its end (inside steps, between steps), and every record of a failure trial from its
 * rollback's start (during compensations). Seeded, so that a seed replays the same moments.
 */
final class KillMoments {
  /** How long after its anchor a kill may wait (cut short by the next record). */
  private static final long[] DELAYS = {0, 30, 120, 400};

  private KillMoments() {}

  /**
   * Up to {@code count} moments: shuffled with {@code seed}, one in three during a rollback while
   * there are such moments, every candidate before any is used twice (so enough kills cover them
   * all).
   *
   * @param rollbacks each failure trial's journal, by the step it failed after
   * @param only steps to keep moments of; empty for every step
   */
  static List<KillMoment> choose(
      List<JournalRecord> clean,
      Map<String, List<JournalRecord>> rollbacks,
      Set<String> only,
      int count,
      long seed) {
    // One generator per kind, so that the rollbacks' lengths (which vary) never move the forward
    // moments a seed chooses.
    Random random = new Random(seed);
    List<KillMoment> forward = new ArrayList<>();
    for (int i = 0; i < clean.size() - 1; i++) {
      JournalRecord r = clean.get(i);
      Optional<String> step = Optional.ofNullable(r.field("step"));
      if (only.isEmpty() || step.filter(only::contains).isPresent()) {
        forward.add(moment(i + 1, r, step, Optional.empty(), random));
      }
    }
    Collections.shuffle(forward, random);
    Random backwardRandom = new Random(~seed);
    List<KillMoment> backward = new ArrayList<>();
    rollbacks.forEach(
        (failed, records) -> {
          if (!only.isEmpty() && !only.contains(failed)) {
            return;
          }
          boolean rollingBack = false;
          for (int i = 0; i < records.size() - 1; i++) {
            JournalRecord r = records.get(i);
            rollingBack |= r.type().equals("rollback_started");
            if (rollingBack) {
              backward.add(
                  moment(
                      i + 1, r, Optional.ofNullable(r.field("step")), Optional.of(failed), random));
            }
          }
        });
    Collections.shuffle(backward, backwardRandom);
    Deque<KillMoment> f = new ArrayDeque<>(forward);
    Deque<KillMoment> b = new ArrayDeque<>(backward);
    List<KillMoment> chosen = new ArrayList<>();
    for (int j = 0; j < count && !(f.isEmpty() && b.isEmpty()); j++) {
      boolean rollback = (j % 3 == 2 && !b.isEmpty()) || f.isEmpty();
      chosen.add(rollback ? b.poll() : f.poll());
    }
    return chosen;
  }

  private static KillMoment moment(
      int afterEvents,
      JournalRecord r,
      Optional<String> step,
      Optional<String> failAfter,
      Random random) {
    String anchor = r.type() + step.map(s -> " of `" + s + "`").orElse("");
    return new KillMoment(
        afterEvents, anchor, step, failAfter, DELAYS[random.nextInt(DELAYS.length)]);
  }
}
