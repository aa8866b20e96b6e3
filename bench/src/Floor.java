import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code java Floor.java N JOURNAL}: the floor's loop in plain Java, N times: append an intent line
 * to JOURNAL and force it, start {@code sh -c true} with ProcessBuilder and wait for it, append a
 * result line and force it. The Java baseline of the runbook benchmark (bench/run).
 */
public final class Floor {
  public static void main(String[] args) throws IOException, InterruptedException {
    long n = Long.parseLong(args[0]);
    Path file = Path.of(args[1]);
    Files.deleteIfExists(file);
    try (FileChannel journal =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      ProcessBuilder sh =
          new ProcessBuilder("sh", "-c", "true")
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      for (long i = 1; i <= n; i++) {
        record(journal, i * 2 - 1, "step_started", i);
        int code = sh.start().waitFor();
        if (code != 0) {
          throw new IllegalStateException("sh -c true exited " + code);
        }
        record(journal, i * 2, "step_succeeded", i);
      }
    }
  }

  private static void record(FileChannel journal, long seq, String type, long step)
      throws IOException {
    String line = "{\"seq\":" + seq + ",\"type\":\"" + type + "\",\"step\":\"s" + step + "\"}\n";
    ByteBuffer buffer = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    while (buffer.hasRemaining()) {
      journal.write(buffer);
    }
    journal.force(false);
  }
}
