// `npm run bench:profile`: where a request's CPU goes inside our worker. Serves an unminified bench
// build with workerd's inspector on loopback, drives one scenario (POST /api/refresh with a valid
// token by default) for PROFILE_REQUESTS requests at PROFILE_CONNECTIONS, samples the worker
// isolate's CPU with the DevTools Profiler, and prints self time by function and by module
// (our src/ files, hono, drizzle, valibot, the runtime), as a share of the sampled time.
// Options (env): PROFILE_PATH (refresh | 404 | norefresh | floorB), PROFILE_REQUESTS (20000), PROFILE_CONNECTIONS (16).

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { wrangler } from "../scripts/wrangler.mjs";
import { call, inspectorSession, root, startBenchServer } from "./serve.mjs";

const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 20000);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 16);
const INSPECTOR_PORT = 9241;

await new Promise((resolve, reject) =>
  wrangler(["deploy", "bench/worker.ts", "--dry-run", "--outdir", "bench/.build", "--minify=false"], {
    cwd: root,
    stdio: "ignore",
  }).on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build failed: ${code}`)))),
);
const { mf, base } = await startBenchServer({ inspectorPort: INSPECTOR_PORT });
const email = `profile-${randomBytes(4).toString("hex")}@example.com`;
await call(base, "POST", "/api/users", { body: { email, password: "profile-password" } });
const { refresh_token } = await call(base, "POST", "/api/login", { body: { email, password: "profile-password" } });

const requests = {
  refresh: { method: "POST", path: "/api/refresh", headers: { authorization: `Bearer ${refresh_token}` } },
  norefresh: { method: "POST", path: "/api/refresh" },
  404: { method: "GET", path: "/nope" },
  // Floor B (one indexed D1 read, no app code), to compare the runtime's share with refresh's.
  floorB: { method: "GET", path: `/__bench/read?email=${encodeURIComponent(email)}` },
};
const request = requests[process.env.PROFILE_PATH ?? "refresh"];

const { send, close } = await inspectorSession(INSPECTOR_PORT, "core:user:");

// Warm up, then sample.
await autocannon({ url: base, connections: CONNECTIONS, amount: 2000, requests: [request] });
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 50 });
await send("Profiler.start");
await autocannon({ url: base, connections: CONNECTIONS, amount: REQUESTS, requests: [request] });
const { profile } = await send("Profiler.stop");
close();
await mf.dispose();

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs].filter(([id]) => ["(idle)", "(program)"].includes(byId.get(id).callFrame.functionName));
const idleUs = idle.reduce((a, [, us]) => a + us, 0);
const busy = total - idleUs;

// The bundle is one file; esbuild marks where each source file starts (`// src/db/client.ts`,
// `// node_modules/hono/dist/…`), so a sample's line names its source file.
const starts = readFileSync(path.join(root, "bench/.build/worker.js"), "utf8")
  .split("\n")
  .flatMap((line, i) => (/^\/\/ (src|bench|node_modules)\//.test(line) ? [{ line: i, file: line.slice(3) }] : []));
const sourceOf = (lineNumber) => {
  let file = "(bundle)";
  for (const start of starts) {
    if (start.line > lineNumber) break;
    file = start.file;
  }
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  return pkg ? pkg[1] : file;
};
const moduleOf = (url, fn, lineNumber) => {
  if (!url) return fn.startsWith("(") ? fn : "(runtime)";
  return url.endsWith("worker.js") ? sourceOf(lineNumber) : url.split("/").pop();
};
const fnTable = new Map();
const moduleTable = new Map();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  if (["(idle)", "(program)"].includes(functionName)) continue;
  const key = `${functionName || "(anonymous)"} ${url.split("/").pop()}:${lineNumber + 1}`;
  fnTable.set(key, (fnTable.get(key) ?? 0) + us);
  const mod = moduleOf(url, functionName, lineNumber);
  moduleTable.set(mod, (moduleTable.get(mod) ?? 0) + us);
}
const show = (title, table, n) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(
      `${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / REQUESTS).toFixed(1).padStart(6)} µs/req  ${key}`,
    );
  }
};
console.log(
  `${REQUESTS} requests (${request.method} ${request.path}): ${(busy / REQUESTS).toFixed(1)} µs of sampled JS/runtime time per request`,
);
// Inclusive time: a function's own samples and its callees', counted once per stack.
const inclusive = new Map();
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const keyOf = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || "(anonymous)"} ${url.split("/").pop()}:${lineNumber + 1}`;
};
for (const [id, us] of selfUs) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const node = byId.get(at);
    if (["(idle)", "(program)", "(root)"].includes(node.callFrame.functionName)) continue;
    const key = keyOf(node);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
show("by source file (self time)", moduleTable, 30);
show("by function (self time)", fnTable, Number(process.env.PROFILE_TOP ?? 30));
show("by function (inclusive time)", inclusive, 40);
