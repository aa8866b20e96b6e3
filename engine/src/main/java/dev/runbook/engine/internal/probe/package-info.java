/**
 * Read-only probes of the live system behind the {@code http}, {@code port}, {@code path} and
 * {@code disk_free} checks and the {@code http} action.
 *
 * <p>Probes work on resolved values: the caller has already resolved every template and relative
 * path. Each probe answers with a {@link dev.runbook.engine.CheckOutcome} whose detail is one line
 * an operator can act on. No probe throws for a user's mistake; an exception that escapes is a bug.
 *
 * <h2>FAILED or ERRORED</h2>
 *
 * <p>A probe is <em>FAILED</em> when it asked the target and the answer, including silence, a
 * refusal or a broken TLS handshake, was not the expected one: the check was false. Waiting may
 * make it true, which is what a {@code wait} loop does.
 *
 * <p>A probe is <em>ERRORED</em> when it could not ask: its own inputs are unusable (a malformed
 * URL, a port out of range, an invalid JSON Pointer, a header the JDK refuses to send, both {@code
 * insecure} and {@code ca_file}), a local resource is unusable (an unreadable or empty CA file, a
 * file system that cannot be queried), a host name does not resolve, the thread was interrupted, or
 * the answer was too large to judge. Waiting does not fix these; the runbook or the machine must
 * change.
 *
 * <p>So a service that is down ({@code connection refused}, no response within the timeout) fails
 * an {@code http} check; it does not error it.
 */
package dev.runbook.engine.internal.probe;
