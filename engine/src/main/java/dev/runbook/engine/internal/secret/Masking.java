package dev.runbook.engine.internal.secret;

import dev.runbook.dsl.UrlCredentials;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The secrets of a run and every {@linkplain SecretRenderings form} of each, masked as {@value
 * #MASK} in any text; immutable.
 *
 * <p>Masking is leftmost, then longest: a short secret that is part of a longer one never unmasks
 * the rest of the longer one.
 */
public final class Masking {
  /** How a masked value reads. */
  public static final String MASK = "***";

  /** No secrets: masks nothing. */
  public static final Masking NONE = new Masking(Set.of());

  private final Set<String> secrets;

  /** Every form of every secret, longest first. */
  private final List<String> forms;

  private Masking(Set<String> secrets) {
    this.secrets = Collections.unmodifiableSet(secrets);
    Set<String> all = new LinkedHashSet<>();
    for (String secret : secrets) {
      all.addAll(SecretRenderings.of(secret));
    }
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.forms = List.copyOf(sorted);
  }

  /** Masks {@code secrets} (empty ones are ignored) in all their forms. */
  public static Masking of(Collection<String> secrets) {
    Set<String> kept = new LinkedHashSet<>();
    for (String s : secrets) {
      if (!s.isEmpty()) {
        kept.add(s);
      }
    }
    return kept.isEmpty() ? NONE : new Masking(kept);
  }

  /** This masking and {@code more} secrets. */
  public Masking plus(Collection<String> more) {
    Set<String> all = new LinkedHashSet<>(secrets);
    all.addAll(more);
    return all.size() == secrets.size() ? this : of(all);
  }

  /** The secrets as given; only in memory. */
  public Set<String> secrets() {
    return secrets;
  }

  /** Every form of every secret, longest first: what a stream masker looks for. */
  public List<String> forms() {
    return forms;
  }

  /** True if {@code text} shows a secret in any form. */
  public boolean reveals(String text) {
    for (String form : forms) {
      if (text.contains(form)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code text} with every form of every secret replaced by {@value #MASK}, and the password of
   * every URL in it too (it may not be one of the secrets: a parameter that should have been).
   */
  public String mask(String text) {
    if (text == null) {
      return null;
    }
    String masked = forms.isEmpty() ? text : maskForms(text);
    return UrlCredentials.mask(masked);
  }

  private String maskForms(String text) {
    StringBuilder out = null;
    int emitted = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int matched = 0;
      for (String form : forms) {
        if (text.startsWith(form, i)) {
          matched = form.length();
          break;
        }
      }
      if (matched == 0) {
        i++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder(n);
      }
      out.append(text, emitted, i).append(MASK);
      i += matched;
      emitted = i;
    }
    return out == null ? text : out.append(text, emitted, n).toString();
  }
}
