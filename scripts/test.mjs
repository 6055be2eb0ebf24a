// `npm test`: the whole suite (vitest run), after two checks that would otherwise cost a long run:
// - the browser tests need Chromium: without one the run stops at once, naming how to get one,
//   unless CHIRPY_SKIP_BROWSER_TESTS=1 asks to skip them (the run then says loudly how many it
//   skipped: test/skipped-reporter.ts);
// - one run per checkout at a time: a second `npm test` in the same folder refuses at once (two
//   runs starve each other's workerd processes on a small machine; see docs/operations.md).
// Usage: node scripts/test.mjs [vitest run arguments...]
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { copyAssets } from "./copy-assets.mjs";

const root = path.join(import.meta.dirname, "..");
// CHROMIUM_PATH, or where Debian, Ubuntu and macOS put Chromium or Chrome; the tests get the one found.
const candidates = process.env.CHROMIUM_PATH
  ? [process.env.CHROMIUM_PATH]
  : [
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
      "/usr/bin/google-chrome",
      "/usr/bin/google-chrome-stable",
      "/Applications/Chromium.app/Contents/MacOS/Chromium",
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    ];
const chromium = candidates.find((candidate) => existsSync(candidate));

if (!chromium && process.env.CHIRPY_SKIP_BROWSER_TESTS !== "1") {
  console.error(
    [
      `npm test: no Chromium at ${candidates.join(", ")}, and the browser tests (the web app, /docs, passkeys, two-factor) need one.`,
      "  Debian/Ubuntu: sudo apt-get install chromium",
      "  Elsewhere:     CHROMIUM_PATH=/path/to/chromium-or-chrome npm test",
      "  Without them:  CHIRPY_SKIP_BROWSER_TESTS=1 npm test (the run says how many it skipped)",
    ].join("\n"),
  );
  process.exit(1);
}

// The lock: this run's pid, in a file no other checkout shares. A lock whose process is gone is stale.
const lock = process.env.CHIRPY_TEST_LOCK ?? path.join(root, "node_modules/.cache/chirpy-edge/npm-test.lock");
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};
const holder = existsSync(lock) ? JSON.parse(readFileSync(lock, "utf8") || "{}") : null;
if (holder?.pid && holder.pid !== process.pid && alive(holder.pid)) {
  console.error(
    `npm test: another run is going on in this checkout (pid ${holder.pid}, since ${holder.started}). ` +
      "Two at once starve each other's workerd processes and fail on timeouts; wait for it to end, or stop it: " +
      `kill ${holder.pid}`,
  );
  process.exit(1);
}
mkdirSync(path.dirname(lock), { recursive: true });
writeFileSync(lock, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
const release = () => {
  try {
    if (JSON.parse(readFileSync(lock, "utf8")).pid === process.pid) rmSync(lock);
  } catch {
    // already gone
  }
};

// Noise nobody can act on, dropped from the output: the workerd line each test file's runner
// socket prints as it closes (vitest-pool-workers drops its siblings, not this one).
const NOISE = /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected$/;

copyAssets(); // public/docs/scalar.js, served by the Worker under test

// wrangler writes a debug log of every command it runs into ~/.config/.wrangler/logs and never
// removes one: a run here leaves ~50 files and ~50 MB (the soak's heap snapshots pass through the
// inspector's log). This run's go to one folder in the checkout, emptied when the next run starts
// (unless WRANGLER_LOG_PATH says where: a run started by a test inherits its parent's).
const wranglerLogs = process.env.WRANGLER_LOG_PATH ?? path.join(path.dirname(lock), "wrangler-logs");
if (!process.env.WRANGLER_LOG_PATH) rmSync(wranglerLogs, { recursive: true, force: true });
const bin = path.join(root, "node_modules/vitest/vitest.mjs");
const vitest = spawn(process.execPath, [bin, "run", ...process.argv.slice(2)], {
  cwd: root,
  stdio: ["inherit", "pipe", "inherit"],
  env: {
    // Vite's notice that a future config loader will want file extensions: nothing to act on today.
    VITE_CONFIG_NATIVE_IGNORE_WARNING: "true",
    // wrangler's "Using secrets defined in .dev.vars", once per test file: the tests never use
    // them (vitest.config.ts sets every binding); warnings and errors still show.
    WRANGLER_LOG: "warn",
    WRANGLER_LOG_PATH: wranglerLogs,
    ...(chromium ? { CHROMIUM_PATH: chromium } : {}),
    ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}),
    ...process.env,
  },
});
createInterface({ input: vitest.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
  if (!NOISE.test(line)) process.stdout.write(`${line}\n`);
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => vitest.kill(signal));
vitest.on("close", (code, signal) => {
  release();
  process.exit(code ?? (signal ? 1 : 0));
});
