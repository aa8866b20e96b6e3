#!/usr/bin/env node
// Validates YAML runbooks against the DSL's JSON Schema with ajv, a validator independent of
// the everit library the Java loader uses, so a schema that only one of them understands fails.
//
// Usage: node check-schema.mjs SCHEMA FILE...
// Prints one line per file, `OK path` or `INVALID path: <errors>`; exits 0 only if every file
// is valid, 1 if one is not, 2 when the schema itself does not compile or a file is unreadable.

import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { parseDocument } from "yaml";

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  console.error("usage: node check-schema.mjs SCHEMA FILE...");
  process.exit(2);
}

let validate;
try {
  // strict: an unknown keyword or a type-less keyword in the schema is an error, not ignored.
  // Union types (`type: [integer, string]`) are how the schema says "a number or a ${{ }}
  // template", and they give shorter messages than an anyOf, so they are allowed explicitly.
  // strictRequired looks for a required key only in the same schema object, so it rejects the
  // `oneOf: [{required: [run]}, ...]` idiom that makes an action key exclusive; the Java test
  // checks instead that every required key is a declared property of the enclosing object.
  const ajv = new Ajv({
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    allErrors: true,
  });
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
} catch (e) {
  console.error(`SCHEMA ${schemaPath}: ${e.message}`);
  process.exit(2);
}

function describe(error) {
  // A bad key of a map is reported at the key, as everit does, so both point at the same line.
  const path =
    error.propertyName === undefined
      ? error.instancePath
      : `${error.instancePath}/${error.propertyName.replaceAll("~", "~0").replaceAll("/", "~1")}`;
  const where = path === "" ? "/" : path;
  const subject = error.propertyName === undefined ? "" : "property name ";
  const extra =
    error.keyword === "additionalProperties"
      ? ` (${error.params.additionalProperty})`
      : error.keyword === "enum"
        ? ` (${error.params.allowedValues.join(", ")})`
        : "";
  return `${where} ${subject}${error.message}${extra}`;
}

let exitCode = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    console.log(`INVALID ${file}: cannot read: ${e.message}`);
    exitCode = 2;
    continue;
  }
  // YAML 1.2 core schema with duplicate keys rejected, as snakeyaml-engine does in the loader.
  const doc = parseDocument(text, { version: "1.2", schema: "core", uniqueKeys: true });
  if (doc.errors.length > 0) {
    const messages = doc.errors.map((e) => e.message.split("\n")[0]);
    console.log(`INVALID ${file}: YAML: ${messages.join("; ")}`);
    exitCode = Math.max(exitCode, 1);
    continue;
  }
  if (validate(doc.toJS())) {
    console.log(`OK ${file}`);
  } else {
    console.log(`INVALID ${file}: ${validate.errors.map(describe).join("; ")}`);
    exitCode = Math.max(exitCode, 1);
  }
}
process.exit(exitCode);
