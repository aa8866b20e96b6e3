package dev.runbook.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal for tests: a tmux server on a private socket in the test's temp dir, one session
 * running a command, keys sent with send-keys, the screen read with capture-pane.
 */
final class Tmux implements AutoCloseable {
  private final Path socket;
  private final String session = "t";

  private Tmux(Path socket) {
    this.socket = socket;
  }

  /** Starts {@code command} (a shell line) in a 100x40 terminal, in {@code dir}. */
  static Tmux start(Path dir, String command) throws IOException, InterruptedException {
    Tmux tmux = new Tmux(dir.resolve("tmux.sock"));
    tmux.tmux(
        "new-session",
        "-d",
        "-s",
        tmux.session,
        "-x",
        "100",
        "-y",
        "40",
        "-c",
        dir.toString(),
        command + "; echo EXIT=$?; sleep 600");
    return tmux;
  }

  private String tmux(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("tmux " + String.join(" ", args) + " failed: " + output);
    }
    return output;
  }

  String screen() throws IOException, InterruptedException {
    return tmux("capture-pane", "-p", "-t", session);
  }

  void keys(String... keys) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
    args.addAll(List.of(keys));
    tmux(args.toArray(String[]::new));
  }

  /** Waits until the screen satisfies {@code condition}; fails with the screen otherwise. */
  String await(Predicate<String> condition, String what) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    String screen = screen();
    while (!condition.test(screen)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("the terminal never showed " + what + "; it shows:\n" + screen);
      }
      Thread.sleep(100);
      screen = screen();
    }
    return screen;
  }

  String awaitText(String text) throws IOException, InterruptedException {
    return await(s -> s.contains(text), "`" + text + "`");
  }

  @Override
  public void close() {
    try {
      tmux("kill-server");
    } catch (IOException e) {
      // the server is gone already
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
