// `npm run bench:openapi`: the same login operation documented two ways — by this project's
// routes/openapi.ts (describeRoute + jsonBody, the served document) and by hono-openapi's
// generateSpecs (describeRoute + validator + resolver over the same valibot schemas) — printed
// side by side: bytes, and every JSON path where the two differ. With bench:'s CPU figures
// ("described route: …"), it is what decided which stays (docs/architecture.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = path.join(import.meta.dirname, "..");
const work = mkdtempSync(path.join(tmpdir(), "chirpy-openapi-compare-"));
const entry = path.join(work, "compare.mjs");
await build({
  stdin: {
    contents: `
      import { Hono } from "hono";
      import { describeRoute, generateSpecs, resolver, validator } from "hono-openapi";
      import { createApp } from "./src/app";
      import { credentialsSchema } from "./src/middleware/validation";
      import { openApiDocument } from "./src/routes/openapi";
      import { errorResponseSchema, loginResponseSchema } from "./src/routes/responses";
      const ours = openApiDocument(createApp().routes);
      const theirsApp = new Hono().post(
        "/api/login",
        describeRoute({
          summary: ours.paths["/api/login"].post.summary,
          tags: ["auth"],
          operationId: "postApiLogin",
          responses: {
            200: { description: "Logged in", content: { "application/json": { schema: resolver(loginResponseSchema) } } },
            400: { description: "Invalid body", content: { "application/json": { schema: resolver(errorResponseSchema) } } },
          },
        }),
        validator("json", credentialsSchema),
        (c) => c.json({}),
      );
      export const documents = { ours, theirs: await generateSpecs(theirsApp) };
    `,
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "node",
  outfile: entry,
  logLevel: "error",
});
const { documents } = await import(pathToFileURL(entry).href);
rmSync(work, { recursive: true, force: true });

// The login operation and the schemas it names, from each document.
const pick = (doc) => ({
  operation: doc.paths["/api/login"].post,
  schemas: Object.fromEntries(
    Object.entries(doc.components?.schemas ?? {}).filter(([name]) => ["Credentials", "Login", "Error"].includes(name)),
  ),
});
const ours = pick(documents.ours);
// Ours lists more responses (401, 403, 429, default); compare the two both describe.
ours.operation = {
  ...ours.operation,
  responses: { 200: ours.operation.responses[200], 400: ours.operation.responses[400] },
};
const theirs = pick(documents.theirs);

const differences = [];
const walk = (a, b, at) => {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], `${at}/${key}`);
    return;
  }
  differences.push(`${at}: ours ${JSON.stringify(a) ?? "(absent)"} | hono-openapi ${JSON.stringify(b) ?? "(absent)"}`);
};
walk(ours, theirs, "");
console.log(
  `login operation + its schemas, JSON bytes: ours ${JSON.stringify(ours).length}, hono-openapi ${JSON.stringify(theirs).length}`,
);
console.log(`byte-for-byte equal: ${differences.length === 0}`);
console.log(`${differences.length} differing paths:`);
for (const line of differences) console.log(`  ${line.length > 220 ? `${line.slice(0, 217)}...` : line}`);
