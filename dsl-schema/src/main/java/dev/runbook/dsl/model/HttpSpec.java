package dev.runbook.dsl.model;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request and what its response must show; shared by the action and the check.
 *
 * @param method upper-case HTTP method
 * @param status the expected status code: a number, or a template that resolves to one
 * @param contains text the body must contain
 * @param json expected values by JSON Pointer into the body, in declaration order
 * @param timeout limit for the whole request
 * @param caFile PEM file of the certificate authorities to trust instead of the JDK's
 */
public record HttpSpec(
    Template url,
    String method,
    Map<String, Template> headers,
    Optional<Template> body,
    Template status,
    Optional<Template> contains,
    Map<String, Template> json,
    Duration timeout,
    boolean insecure,
    Optional<Template> caFile,
    SourceLocation location) {
  public HttpSpec {
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    json = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(json));
  }
}
