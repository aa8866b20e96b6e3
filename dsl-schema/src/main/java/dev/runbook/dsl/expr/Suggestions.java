package dev.runbook.dsl.expr;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** "Did you mean …?" for a misspelt name: at most three close candidates. */
final class Suggestions {
  private static final int MAX = 3;

  private Suggestions() {}

  /** {@code "; did you mean `a` or `b`?"}, or the empty string when nothing is close. */
  static String didYouMean(String name, Collection<String> candidates) {
    int limit = Math.max(1, Math.min(3, name.length() / 3));
    List<String> close =
        candidates.stream()
            .filter(c -> distance(name.toLowerCase(), c.toLowerCase()) <= limit)
            .sorted(
                Comparator.comparingInt((String c) -> distance(name, c))
                    .thenComparing(Comparator.naturalOrder()))
            .limit(MAX)
            .toList();
    if (close.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder("; did you mean ");
    for (int i = 0; i < close.size(); i++) {
      if (i > 0) {
        text.append(i == close.size() - 1 ? " or " : ", ");
      }
      text.append('`').append(close.get(i)).append('`');
    }
    return text.append('?').toString();
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + cost);
        diagonal = above;
      }
    }
    return row[b.length()];
  }
}
