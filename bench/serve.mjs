// The benchmark's server, shared by bench/run.mjs and bench/heap.mjs: builds the worker (and the
// deploy bundle), serves the bench build with Miniflare directly (one workerd process, local D1
// with the migrations, loopback only, fully offline), and reads the workerd process's CPU and RSS
// from /proc. Optionally opens workerd's inspector (for heap readings) on a loopback port.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { OFFLINE_ENV } from "../scripts/wrangler.mjs";

export const root = path.resolve(import.meta.dirname, "..");
export const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
const PAGE_KB = 4;

function wrangler(args) {
  execFileSync(process.execPath, [path.join(root, "node_modules/wrangler/bin/wrangler.js"), ...args], {
    cwd: root,
    env: { ...process.env, ...OFFLINE_ENV },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

function bundleSize(dir) {
  const raw = readFileSync(path.join(dir, "index.js"));
  return { raw_bytes: raw.length, gzip_bytes: gzipSync(raw, { level: 9 }).length };
}

/** Builds dist/ (the deploy bundle) and bench/.build/ (the same worker + floor routes); the bundle's size. */
export function buildBench() {
  console.log("building dist/ (the deploy bundle) and bench/.build/ (the same worker + floor routes)…");
  wrangler(["deploy", "--dry-run", "--outdir", "dist"]);
  wrangler(["deploy", "bench/worker.ts", "--dry-run", "--outdir", "bench/.build"]);
  // hono-openapi (only its bench route uses it) imports each schema library it could convert from
  // (effect, sury, zod…) inside a try, and the bundler leaves those it cannot find as imports, which
  // the runtime refuses to load: they become the failure the try expects. (A deployment using
  // hono-openapi would need the same, or aliases in wrangler.toml.)
  const built = path.join(root, "bench/.build/worker.js");
  const source = readFileSync(built, "utf8");
  writeFileSync(
    built,
    source.replace(
      /import\("(effect|sury|zod-openapi|zod-to-json-schema)"\)/g,
      'Promise.reject(new Error("$1 is absent"))',
    ),
  );
  const bundle = bundleSize(path.join(root, "dist"));
  console.log(
    `bundle dist/index.js: ${(bundle.raw_bytes / 1024).toFixed(1)} KiB raw, ${(bundle.gzip_bytes / 1024).toFixed(1)} KiB gzip`,
  );
  return bundle;
}

/** Serves the bench build; resolves when it answers, with the migrations applied. */
export async function startBenchServer({ inspectorPort, persistDir, bindings = {} } = {}) {
  const mf = new Miniflare({
    scriptPath: path.join(root, "bench/.build/worker.js"),
    modules: true,
    compatibilityDate: "2026-04-26",
    d1Databases: { DB: "bench-db" },
    // In memory, or in `persistDir` (bench:scale measures the database file).
    d1Persist: persistDir ?? false,
    host: "127.0.0.1",
    port: 0,
    // Load goes to a socket served by the worker itself, as Cloudflare's edge hands it requests.
    // Miniflare's own port runs every request and response through its dev entry worker (a second
    // isolate that rebuilds both and re-sends every header), which no deployment has.
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    ...(inspectorPort ? { inspectorPort } : {}),
    // Fully offline: no cf.json fetch at start (the request.cf object is a fixed stand-in).
    cf: false,
    // The worker's stdout carries a security event per login: keep it out of the report.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
    bindings: {
      PLATFORM: "dev",
      JWT_ISSUER: "chirpy-access",
      ACCESS_TOKEN_TTL_SECONDS: "3600",
      REFRESH_TOKEN_TTL_SECONDS: "5184000",
      JWT_SECRET: randomBytes(32).toString("hex"),
      POLKA_KEY: randomBytes(16).toString("hex"),
      // Logins in the bench come from one client; keep the per-network budgets out of the
      // measurement (they are still counted: the upserts run), and the session cap from ending the
      // sessions other scenarios refresh.
      LOGIN_MAX_FAILURES_PER_IP: "1000000",
      LOGIN_MAX_ATTEMPTS_PER_IP: "1000000",
      SIGNUP_MAX_PER_IP: "1000000",
      SIGNUP_MAX_GLOBAL: "1000000",
      MAX_SESSIONS_PER_USER: "1000000",
      ...bindings,
    },
  });
  await mf.ready;
  const base = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB");
  for (const file of readdirSync(path.join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    const statements = readFileSync(path.join(root, "migrations", file), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
  const workerdPid = (() => {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (stat.includes("(workerd)") && Number(fields[1]) === process.pid) return Number(pid);
      } catch {}
    }
    throw new Error("workerd process not found");
  })();
  const cpuTicks = () => {
    const stat = readFileSync(`/proc/${workerdPid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  };
  const rssKb = () => Number(readFileSync(`/proc/${workerdPid}/statm`, "utf8").split(" ")[1]) * PAGE_KB;
  return { mf, base, cpuTicks, rssKb };
}

/** A JSON call to the server that must succeed (for seeding). */
export async function call(base, method, p, { body, token } = {}) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p} -> ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/**
 * A DevTools-protocol session with one of the bench server's isolates (inspector target id, e.g.
 * "core:user:" for our worker): `send(method, params)` resolves with the result.
 */
export async function inspectorSession(port, targetId) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/${targetId}`);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let nextId = 1;
  const pending = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message.result);
      pending.delete(message.id);
    }
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
}

/** test/authenticator.ts (a software WebAuthn authenticator), bundled for Node. */
export async function loadAuthenticator() {
  const outfile = path.join(root, "bench/.build/authenticator.mjs");
  await build({
    entryPoints: [path.join(root, "test/authenticator.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "error",
  });
  return import(pathToFileURL(outfile).href);
}
