/**
 * The {@code docker} action and check, through docker-java against the Docker Engine that {@code
 * DOCKER_HOST} names ({@code unix://} or {@code tcp://}, with TLS when {@code DOCKER_TLS_VERIFY} is
 * set); never through the {@code docker} command.
 *
 * <p>{@link dev.runbook.engine.internal.docker.DockerConnection} is the one way to the engine: it
 * connects on first use, bounds every request by the step's time and by stop requests, and turns
 * every failure into a {@link dev.runbook.engine.internal.docker.DockerActionException} whose
 * message names the engine and what to do. {@link dev.runbook.engine.internal.docker.DockerActions}
 * implements the operations on resolved values, {@link
 * dev.runbook.engine.internal.docker.DockerProbe} the read-only check.
 *
 * <p>Decisions that shaped this package (docs/adr/0007):
 *
 * <ul>
 *   <li>A {@code run} with {@code replace: true} records the container it replaces (a {@link
 *       dev.runbook.engine.internal.docker.ReplacedContainer}) before it touches it; the executor
 *       journals the record, so the built-in compensation ({@link
 *       dev.runbook.engine.internal.docker.BuiltInCompensation}) can recreate the container after a
 *       crash, a resume or a {@code rollback RUN_ID} an hour later. No secret value is in the
 *       record: secrets are referenced by parameter name.
 *   <li>Every container a {@code run} creates carries the labels {@code dev.runbook.run-id} and
 *       {@code dev.runbook.step}, so a compensation removes only what its step created.
 *   <li>{@code run} does not pull a missing image: a pull is a step of its own, visible in the
 *       plan.
 *   <li>TLS keys and certificates are read with the JDK (PKCS#8, PKCS#1 RSA, SEC1 EC), so
 *       BouncyCastle is not shipped; unix sockets use the JDK's own, so JNA is not shipped either.
 * </ul>
 */
package dev.runbook.engine.internal.docker;
