package dev.runbook.dsl.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** "Did you mean …?" suggestions: the known names closest to a mistyped one, at most three. */
public final class DidYouMean {
  private DidYouMean() {}

  /** Known names within a small edit distance of {@code wrong}, closest first; may be empty. */
  public static List<String> suggest(String wrong, Collection<String> known) {
    record Scored(String name, int distance) {}
    int limit = Math.max(1, Math.min(3, wrong.length() / 3));
    List<Scored> scored = new ArrayList<>();
    for (String name : known) {
      int d =
          distance(
              wrong.toLowerCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT));
      boolean prefix = name.startsWith(wrong) || wrong.startsWith(name);
      if (d <= limit || (prefix && Math.min(name.length(), wrong.length()) >= 3)) {
        scored.add(new Scored(name, d));
      }
    }
    return scored.stream()
        .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
        .limit(3)
        .map(Scored::name)
        .toList();
  }

  /** {@code `a`}, {@code `a` or `b`}, {@code `a`, `b` or `c`}. */
  public static String quoteAll(List<String> names) {
    List<String> quoted = names.stream().map(n -> "`" + n + "`").collect(Collectors.toList());
    if (quoted.size() <= 1) {
      return String.join("", quoted);
    }
    return String.join(", ", quoted.subList(0, quoted.size() - 1))
        + " or "
        + quoted.get(quoted.size() - 1);
  }

  /** Optimal string alignment distance: a transposition counts as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
