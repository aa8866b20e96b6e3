package dev.runbook.engine.internal.process;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a command that prints about 200 MB through the runner, in a JVM of its own started with a
 * small heap by {@link HugeOutputTest}, and prints what it measured as {@code key=value} lines.
 */
public final class HugeOutputProbe {
  /** 100 000 lines of 999 'a' and a newline, then 100 MiB of 'b' without a newline. */
  static final String SCRIPT =
      "line=$(head -c 999 /dev/zero | tr '\\0' a)\n"
          + "yes \"$line\" | head -n 100000\n"
          + "head -c 104857600 /dev/zero | tr '\\0' b\n";

  static final long LINES_BYTES = 100_000L * 1000;
  static final long LONG_LINE_BYTES = 104_857_600L;

  private HugeOutputProbe() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    AtomicLong heard = new AtomicLong();
    long start = System.nanoTime();
    ProcessResult result =
        new ProcessRunner()
            .start(
                ProcessSpec.builder(List.of("/bin/sh", "-c", SCRIPT), dir, dir.resolve("step.log"))
                    .environment(Map.of("PATH", "/usr/bin:/bin"))
                    .stdoutFile(dir.resolve("step.out"))
                    .secrets(Set.of("a-secret-that-never-appears"))
                    .lineListener((source, line) -> heard.incrementAndGet())
                    .build())
            .await();
    long millis = (System.nanoTime() - start) / 1_000_000;
    long peakHeap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peakHeap += pool.getPeakUsage().getUsed();
      }
    }
    List<String> tail = result.tail();
    System.out.println("exit=" + result.exitCode());
    System.out.println("logBytes=" + Files.size(dir.resolve("step.log")));
    System.out.println("stdoutBytes=" + Files.size(dir.resolve("step.out")));
    System.out.println("tailLines=" + tail.size());
    System.out.println("lastLine=" + tail.get(tail.size() - 1).replaceAll("^b+", "b…"));
    System.out.println("lastLineChars=" + tail.get(tail.size() - 1).length());
    System.out.println("firstLineChars=" + tail.get(0).length());
    System.out.println("heard=" + heard.get());
    System.out.println("millis=" + millis);
    System.out.println("peakHeapBytes=" + peakHeap);
    System.out.println("maxHeapBytes=" + Runtime.getRuntime().maxMemory());
  }
}
