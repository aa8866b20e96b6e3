package dev.runbook.engine.journal;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Run ids: short, sortable and typeable, e.g. {@code 20261123-0712-seqdesk-rollback-3f9a}.
 *
 * <p>UTC date and minute first (so {@code ls} sorts runs in time), the runbook's name (so an
 * operator recognises it), and four hex digits so that two runs in one minute differ.
 */
public final class RunIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next(Instant now, String runbookName) {
    byte[] suffix = new byte[2];
    RANDOM.nextBytes(suffix);
    return STAMP.format(now) + "-" + runbookName + "-" + HexFormat.of().formatHex(suffix);
  }
}
