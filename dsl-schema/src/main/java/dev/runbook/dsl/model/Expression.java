package dev.runbook.dsl.model;

/**
 * The source of one expression (the inside of {@code ${{ }}}, or a {@code when} / {@code expr}).
 *
 * @param source the expression text, trimmed
 * @param location where it is written
 */
public record Expression(String source, SourceLocation location) {}
