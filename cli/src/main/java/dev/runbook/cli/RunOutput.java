package dev.runbook.cli;

import dev.runbook.cli.terminal.TerminalRunListener;
import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.Interaction;
import dev.runbook.engine.RunListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;

/**
 * Where a run's progress goes and how it asks: live progress on a terminal, plain timestamped lines
 * off one (pipes, CI, {@code TERM=dumb}), JSON lines on request. Prompts clear the live view first.
 */
final class RunOutput implements AutoCloseable {
  private final RunListener listener;
  private final TerminalRunListener live;

  private RunOutput(RunListener listener, TerminalRunListener live) {
    this.listener = listener;
    this.live = live;
  }

  static RunOutput open(RunCommand.RunFormat format, PrintWriter out) {
    Map<String, String> env = System.getenv();
    if (format == RunCommand.RunFormat.jsonl) {
      return new RunOutput(new JsonLinesRunListener(out, Clock.systemUTC()), null);
    }
    if (TerminalRunListener.available(env)) {
      try {
        TerminalRunListener live = TerminalRunListener.open(env);
        return new RunOutput(live, live);
      } catch (IOException e) {
        // no usable terminal after all: plain lines
      }
    }
    return new RunOutput(new PlainRunListener(out, Clock.systemUTC()), null);
  }

  RunListener listener() {
    return listener;
  }

  Interaction interaction(boolean yes) {
    Interaction asker = ConsoleInteraction.forThisProcess(yes);
    if (live == null) {
      return asker;
    }
    return new Interaction() {
      @Override
      public Confirmation confirm(String stepId, String message) {
        live.suspendLive();
        try {
          return asker.confirm(stepId, message);
        } finally {
          live.resumeLive();
        }
      }

      @Override
      public OnFailure onFailure(String stepId, String reason) {
        live.suspendLive();
        try {
          return asker.onFailure(stepId, reason);
        } finally {
          live.resumeLive();
        }
      }

      @Override
      public InflightChoice inflight(String stepId) {
        live.suspendLive();
        try {
          return asker.inflight(stepId);
        } finally {
          live.resumeLive();
        }
      }
    };
  }

  @Override
  public void close() {
    if (live != null) {
      live.close();
    }
  }
}
