package dev.runbook.engine.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads the kernel's process table from {@code /proc} (Linux). */
final class ProcessTable {
  private static final Path PROC = Path.of("/proc");

  /**
   * The kernel's clock ticks per second ({@code sysconf(_SC_CLK_TCK)}, {@code USER_HZ}), fixed at
   * 100 in the kernel's interface to programs on the architectures a JDK runs on.
   */
  private static final long CLOCK_TICKS = 100;

  /**
   * One process as {@code /proc/<pid>/stat} shows it.
   *
   * @param state one letter: R running, S sleeping, D disk, Z zombie, T stopped, …
   * @param ttyNr the controlling terminal's device number, 0 for none
   */
  record Entry(long pid, String name, char state, long ppid, long pgrp, long session, int ttyNr) {
    /** True unless the process is a zombie (or dying): it ran its course, only its pid is left. */
    boolean running() {
      return state != 'Z' && state != 'X';
    }
  }

  private ProcessTable() {}

  /** Up to how many characters of a command line {@link #commandLine(long)} gives. */
  static final int COMMAND_CHARS = 200;

  /**
   * The process's command line, its arguments joined by spaces and cut at {@value #COMMAND_CHARS}
   * characters; its name when the command line cannot be read (a kernel thread, a process gone).
   */
  static String commandLine(long pid) {
    try {
      byte[] raw =
          java.nio.file.Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
      String text =
          new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
      if (!text.isEmpty()) {
        return text.length() > COMMAND_CHARS ? text.substring(0, COMMAND_CHARS) + "…" : text;
      }
    } catch (java.io.IOException | SecurityException e) {
      // gone, or another user's: its name is all there is
    }
    return entry(pid).map(Entry::name).orElse("?");
  }

  /** The process with this pid, if it exists (zombies included). */
  static Optional<Entry> entry(long pid) {
    String stat = stat(pid);
    return stat == null ? Optional.empty() : parse(pid, stat);
  }

  /** The stat line of {@code pid} (a process's, or a thread's), or null if there is none now. */
  private static String stat(long pid) {
    try {
      return Files.readString(
          PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * When the process {@code pid} started, to the millisecond, exactly as {@code
   * ProcessHandle.Info.startInstant()} tells it (the boot time plus the stat line's {@code
   * starttime} in clock ticks), without the rest of what {@code info()} reads: the command line,
   * the executable's link and the user's name (a look-up in the user database). Empty if the
   * process does not exist.
   */
  static Optional<Instant> startOf(long pid) {
    String stat = stat(pid);
    if (stat == null) {
      return Optional.empty();
    }
    String[] fields = fieldsAfterName(stat);
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    if (fields.length < 20 || BootTime.MILLIS <= 0) {
      return Optional.empty();
    }
    try {
      long ticks = Long.parseLong(fields[19]);
      return Optional.of(Instant.ofEpochMilli(BootTime.MILLIS + ticks * 1000 / CLOCK_TICKS));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** When the system booted, from {@code /proc/stat}; read once, at the first use. */
  private static final class BootTime {
    static final long MILLIS = read();

    private static long read() {
      try {
        for (String line : Files.readAllLines(PROC.resolve("stat"), StandardCharsets.UTF_8)) {
          if (line.startsWith("btime ")) {
            return Long.parseLong(line.substring(6).trim()) * 1000;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // Unknown: start times are then unknown too.
      }
      return 0;
    }
  }

  /** True if a process with this pid exists and is not a zombie. */
  static boolean isRunning(long pid) {
    return entry(pid).map(Entry::running).orElse(false);
  }

  /** Every process, zombies included; processes that end while being read are left out. */
  static List<Entry> all() {
    return newerThan(0);
  }

  /**
   * Every process whose pid is greater than {@code pid}, zombies included; processes that end while
   * being read are left out. Reading a process's entry costs the kernel far more than listing its
   * pid, so this is much cheaper than {@link #all()} when few processes are that new.
   */
  static List<Entry> newerThan(long pid) {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, ProcessTable::isPidDir)) {
      for (Path dir : dirs) {
        long p = Long.parseLong(dir.getFileName().toString());
        if (p > pid) {
          entry(p).ifPresent(entries::add);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the process table in /proc: " + e, e);
    }
    return entries;
  }

  /**
   * Every process whose pid is in {@code (after, upTo]}, zombies included, each read by its pid:
   * cheaper than listing {@code /proc} (which makes the kernel walk every process) when the range
   * is small. The ids of threads other than a process's main thread are in the same range; they are
   * recognized and left out.
   */
  static List<Entry> between(long after, long upTo) {
    List<Entry> entries = new ArrayList<>();
    for (long p = after + 1; p <= upTo; p++) {
      String stat = stat(p);
      if (stat == null) {
        continue; // no such process (or thread), or it just ended
      }
      if (!isThread(stat)) {
        parse(p, stat).ifPresent(entries::add);
      }
    }
    return entries;
  }

  /**
   * Whether a stat line is a thread's that is not its process's main thread: its {@code
   * exit_signal} (field 38) is -1, which the kernel gives every thread made with {@code
   * CLONE_THREAD} and no process.
   */
  static boolean isThread(String stat) {
    String[] fields = fieldsAfterName(stat);
    // fields[0] is field 3 (state), so field 38 is fields[35].
    return fields.length > 35 && fields[35].equals("-1");
  }

  /**
   * The pid the kernel handed out last (in this pid namespace), from {@code /proc/loadavg}; empty
   * if it cannot be read.
   */
  static OptionalLong lastPid() {
    try {
      String[] fields =
          Files.readString(PROC.resolve("loadavg"), StandardCharsets.US_ASCII).trim().split(" ");
      return fields.length < 5 ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(fields[4]));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static boolean isPidDir(Path p) {
    String name = p.getFileName().toString();
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The fields of a stat line from the third ({@code state}) on; empty if it has no name. The name
   * may hold spaces and parentheses: it ends at the last ')'.
   */
  private static String[] fieldsAfterName(String stat) {
    int close = stat.lastIndexOf(')');
    return close < 0 || close + 2 > stat.length()
        ? new String[0]
        : stat.substring(close + 2).trim().split(" ");
  }

  /** Parses a stat line: {@code pid (comm) state ppid pgrp session tty_nr …}. */
  static Optional<Entry> parse(long pid, String stat) {
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    if (open < 0 || close < open) {
      return Optional.empty();
    }
    String[] fields = fieldsAfterName(stat);
    if (fields.length < 5 || fields[0].isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Entry(
              pid,
              stat.substring(open + 1, close),
              fields[0].charAt(0),
              Long.parseLong(fields[1]),
              Long.parseLong(fields[2]),
              Long.parseLong(fields[3]),
              Integer.parseInt(fields[4])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
