/** The {@code runbook} command line: thin picocli commands over the engine. */
package dev.runbook.cli;
