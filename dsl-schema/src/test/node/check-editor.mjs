#!/usr/bin/env node
// Drives the real yaml-language-server (the engine behind editors' YAML support) over stdio
// with JSON-RPC, as an editor would, to prove what an operator sees while authoring: the
// schema named by a `# yaml-language-server: $schema=` comment is found, completion offers the
// DSL's keys, hover shows the schema's descriptions, and the server's own validator agrees
// with ajv and everit on the example runbooks.
//
// Usage: node check-editor.mjs SCHEMA CASES_DIR
// CASES_DIR holds valid/*.yaml and invalid/*.yaml, each naming the schema in its first line.
// Prints `ok WHAT` or `not ok WHAT: DETAIL` per assertion and a closing `N passed, N failed`;
// exits 0 only if all passed, 2 when the server could not be driven at all.

import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [schemaArg, casesArg] = process.argv.slice(2);
if (!schemaArg || !casesArg) {
  console.error("usage: node check-editor.mjs SCHEMA CASES_DIR");
  process.exit(2);
}
const schemaPath = resolve(schemaArg);
const casesDir = resolve(casesArg);
const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
const REPLY_TIMEOUT_MS = 20_000;

// --- a minimal LSP client ---

class LanguageServer {
  constructor() {
    const require = createRequire(import.meta.url);
    const bin = require.resolve("yaml-language-server/bin/yaml-language-server");
    this.child = spawn(process.execPath, [bin, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    this.stderr = "";
    this.child.stderr.on("data", (d) => (this.stderr += d));
    this.buffer = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map();
    this.diagnostics = new Map();
    this.diagnosticWaiters = new Map();
    this.child.stdout.on("data", (chunk) => this.receive(chunk));
    this.child.on("exit", (code) => {
      for (const { reject } of this.pending.values()) {
        reject(new Error(`server exited (${code}): ${this.stderr.trim()}`));
      }
    });
  }

  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${method} within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  notify(method, params) {
    this.send({ method, params });
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString("ascii");
      const length = Number(/Content-Length: *(\d+)/i.exec(header)[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const message = JSON.parse(this.buffer.subarray(start, start + length).toString("utf8"));
      this.buffer = this.buffer.subarray(start + length);
      this.dispatch(message);
    }
  }

  dispatch(message) {
    if (message.method !== undefined && message.id !== undefined) {
      this.send({ id: message.id, result: this.answer(message) });
    } else if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(JSON.stringify(message.error)));
      else waiter?.resolve(message.result);
    } else if (message.method === "textDocument/publishDiagnostics") {
      const { uri, diagnostics } = message.params;
      this.diagnostics.set(uri, diagnostics);
      this.diagnosticWaiters.get(uri)?.();
    }
  }

  // Requests from the server: its settings, and capability registrations (acknowledged).
  answer(message) {
    if (message.method !== "workspace/configuration") return null;
    return message.params.items.map((item) => (item.section === "yaml" ? SETTINGS.yaml : null));
  }

  /** Opens a document and resolves with the first diagnostics published for it. */
  open(uri, text) {
    const published = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no diagnostics for ${uri} within ${REPLY_TIMEOUT_MS} ms`)),
        REPLY_TIMEOUT_MS,
      );
      this.diagnosticWaiters.set(uri, () => (clearTimeout(timer), resolve()));
    });
    this.notify("textDocument/didOpen", {
      textDocument: { uri, languageId: "yaml", version: 1, text },
    });
    return published;
  }

  async close() {
    try {
      await this.request("shutdown", null);
      this.notify("exit", null);
    } finally {
      setTimeout(() => this.child.kill(), 2000).unref();
    }
  }
}

// The schema store would fetch a catalogue from the network; the modeline is all we need.
const SETTINGS = {
  yaml: {
    validate: true,
    hover: true,
    completion: true,
    schemas: {},
    schemaStore: { enable: false },
  },
};

// --- assertions ---

let passed = 0;
let failed = 0;
function check(what, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok ${what}`);
  } else {
    failed++;
    console.log(`not ok ${what}: ${detail}`);
  }
}

const definitions = schema.definitions;
const exclusiveKeys = (definition) => definitions[definition].oneOf.map((b) => b.required[0]);

// Hover renders descriptions as markdown, escaping punctuation such as backticks.
const unescapeMarkdown = (text) => text.replace(/\\([\\`*_{}[\]()#+\-.!<>|])/g, "$1");

async function completionLabels(server, uri, line, character) {
  const result = await server.request("textDocument/completion", {
    textDocument: { uri },
    position: { line, character },
  });
  return (Array.isArray(result) ? result : (result?.items ?? [])).map((item) => item.label);
}

async function hoverText(server, uri, line, character) {
  const result = await server.request("textDocument/hover", {
    textDocument: { uri },
    position: { line, character },
  });
  const contents = result?.contents;
  const text = typeof contents === "string" ? contents : (contents?.value ?? "");
  return unescapeMarkdown(text);
}

function expectAll(what, actual, expected) {
  const missing = expected.filter((e) => !actual.includes(e));
  check(what, missing.length === 0, `missing ${missing.join(", ")}; offered ${actual.join(", ")}`);
}

function expectDescription(what, hover, description) {
  check(what, hover.includes(description), `expected "${description}", hover was "${hover}"`);
}

const errorsOf = (diagnostics) => (diagnostics ?? []).filter((d) => d.severity === 1);
const positionOf = (lines, pattern) => {
  const line = lines.findIndex((l) => pattern.test(l));
  return { line, character: lines[line].search(pattern) };
};

// --- the session ---

const server = new LanguageServer();
try {
  await server.request("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true },
      textDocument: {
        completion: { completionItem: { snippetSupport: false } },
        hover: { contentFormat: ["markdown", "plaintext"] },
        publishDiagnostics: {},
      },
    },
  });
  server.notify("initialized", {});
  server.notify("workspace/didChangeConfiguration", { settings: SETTINGS });

  // An operator's draft: the schema named by absolute file URL, blank lines where they type.
  const draftText = [
    `# yaml-language-server: $schema=${pathToFileURL(schemaPath).href}`,
    "schema: runbook/v1",
    "name: draft",
    "on_failure: ",
    "preconditions:",
    "  - name: data dir",
    "    ",
    "steps:",
    "  - id: first",
    "    ",
    "  - id: second",
    "    run: echo",
    "    comand: echo typo",
    "    requires:",
    "      - port: 3000",
    "        on_unmet: wait",
    "        timeout: 1m",
    "  - id: third",
    "    docker:",
    "      wait_healthy: app",
    "      ",
    "",
  ].join("\n");
  const draftLines = draftText.split("\n");
  const draft = pathToFileURL(join(casesDir, "editor-draft.yaml")).href;
  await server.open(draft, draftText);
  const blank = (after) => ({ line: draftLines.indexOf(after) + 1, character: 4 });

  let at = blank("  - id: first");
  expectAll(
    "completion in a step offers every action key",
    await completionLabels(server, draft, at.line, at.character),
    exclusiveKeys("step_body"),
  );
  at = blank("  - name: data dir");
  expectAll(
    "completion in a precondition offers every check kind",
    await completionLabels(server, draft, at.line, at.character),
    exclusiveKeys("check"),
  );
  at = positionOf(draftLines, /wait_healthy: app/);
  expectAll(
    "completion in a docker map offers the other options",
    await completionLabels(server, draft, at.line + 1, 6),
    ["timeout"],
  );
  at = positionOf(draftLines, /^on_failure: $/);
  expectAll(
    "completion of on_failure's value offers its policies",
    await completionLabels(server, draft, at.line, "on_failure: ".length),
    schema.properties.on_failure.enum,
  );

  at = positionOf(draftLines, /on_failure/);
  expectDescription(
    "hover on a top-level key shows its description",
    await hoverText(server, draft, at.line, at.character + 2),
    schema.properties.on_failure.description,
  );
  at = positionOf(draftLines, /on_unmet/);
  expectDescription(
    "hover on a requirement key shows its description",
    await hoverText(server, draft, at.line, at.character + 2),
    definitions.requirement.properties.on_unmet.description,
  );
  at = positionOf(draftLines, /wait_healthy/);
  expectDescription(
    "hover on a docker operation shows its description",
    await hoverText(server, draft, at.line, at.character + 2),
    definitions.docker.properties.wait_healthy.description,
  );

  at = positionOf(draftLines, /comand/);
  const typo = errorsOf(server.diagnostics.get(draft)).filter(
    (d) => d.range.start.line === at.line && /comand/.test(d.message),
  );
  check(
    "an unknown key is flagged on its own line",
    typo.length === 1,
    JSON.stringify(server.diagnostics.get(draft)),
  );

  // The examples name the schema by a path relative to themselves, as runbooks in a repository
  // do; opening them under their real file URLs also proves those paths.
  for (const kind of ["valid", "invalid"]) {
    const dir = join(casesDir, kind);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    const uris = files.map((f) => pathToFileURL(join(dir, f)).href);
    await Promise.all(
      uris.map((uri, i) => server.open(uri, readFileSync(join(dir, files[i]), "utf8"))),
    );
    for (const [i, uri] of uris.entries()) {
      const schemas = await server.request("yaml/get/jsonSchema", uri);
      check(
        `${kind}/${files[i]} is checked against the runbook schema`,
        schemas.some((s) => s.uri === pathToFileURL(schemaPath).href),
        `schemas in use: ${JSON.stringify(schemas)}`,
      );
      const errors = errorsOf(server.diagnostics.get(uri));
      const summary = errors.map((d) => `${d.range.start.line + 1}: ${d.message}`).join("; ");
      if (kind === "valid") {
        check(`${kind}/${files[i]} has no errors`, errors.length === 0, summary);
      } else {
        check(`${kind}/${files[i]} has an error`, errors.length > 0, "none reported");
      }
    }
  }
} catch (e) {
  console.log(`not ok session: ${e.message}`);
  failed++;
  await server.close().catch(() => {});
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(2);
}
await server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
