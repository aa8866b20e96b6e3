/**
 * The typed, immutable model of a validated runbook.
 *
 * <p>Records and sealed interfaces only: no behaviour, no I/O, and no dependency outside {@code
 * java.*} (an architecture test keeps it so). Every node carries its {@link
 * dev.runbook.dsl.model.SourceLocation} so that later stages can point at the line that caused a
 * problem. Collections are copied in constructors and never null; absent values are {@link
 * java.util.Optional} or empty.
 */
package dev.runbook.dsl.model;
