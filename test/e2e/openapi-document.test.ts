// The OpenAPI document is valid OpenAPI 3.1 (checked against the official schema, in Node:
// the validator compiles code at run time, which workerd forbids), and the README's API table
// lists exactly the documented operations.

import { readFileSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { openApiDocument } from "../../src/routes/openapi";

const root = path.resolve(import.meta.dirname, "../..");

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument(createApp().routes));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("matches the README's API table row for row", () => {
    const doc = openApiDocument(createApp().routes) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${p}`))
      .filter((op) => !["GET /openapi.json", "GET /docs"].includes(op));
    const readme = readFileSync(path.join(root, "docs/api.md"), "utf8");
    // The API section's table only (other sections have tables keyed by endpoint too).
    const start = readme.indexOf("\n## API\n");
    const api = readme.slice(start, readme.indexOf("\n## ", start + 5));
    const rows = [...api.matchAll(/^\| `(GET|POST|PUT|DELETE) ([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    const normalize = (ops: string[]) => ops.map((op) => op.replace(/\{\w+\}/g, "{}")).sort();
    expect(normalize(rows)).toEqual(normalize(documented));
  });
});
