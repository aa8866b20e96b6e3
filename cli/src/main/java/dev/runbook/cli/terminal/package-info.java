/** The operator's terminal: live progress on a TTY. The only package that uses jline. */
package dev.runbook.cli.terminal;
