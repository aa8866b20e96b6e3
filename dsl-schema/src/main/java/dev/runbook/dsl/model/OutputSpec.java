package dev.runbook.dsl.model;

import java.util.Optional;

/**
 * How one output of a step is captured.
 *
 * @param name read later as {@code steps.<id>.outputs.<name>}
 * @param file read from this file instead of the step's stdout; with neither {@code regex} nor
 *     {@code json}, its whole text (without trailing line breaks) is the value
 * @param regex group 1 of the first match, else the whole match
 * @param json a JSON Pointer into the (stdout or file) text parsed as JSON
 */
public record OutputSpec(
    String name,
    Optional<Template> file,
    Optional<String> regex,
    Optional<String> json,
    SourceLocation location) {}
