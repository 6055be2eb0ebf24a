// `npm test` (scripts/test.mjs) before it runs anything: without a browser it stops at once, naming
// how to get one, unless told to skip the browser tests (then it says loudly how many it skipped);
// a second run in the same checkout refuses at once instead of starving the first.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "chirpy-npm-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** scripts/test.mjs with `env` over this process's (less vitest's own variables), its own lock file. */
function npmTest(args: string[], env: Record<string, string>, lock = path.join(dir, `${Math.random()}.lock`)) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")));
  delete inherited.CHIRPY_SKIP_BROWSER_TESTS;
  delete inherited.WRANGLER_LOG_PATH; // set by the npm test running this one
  delete inherited.XDG_CONFIG_HOME; // wrangler's home folder is then $HOME/.config/.wrangler
  return spawnSync(process.execPath, ["scripts/test.mjs", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...inherited, CHIRPY_TEST_LOCK: lock, ...env },
  });
}

describe("npm test", () => {
  it("without Chromium stops before running anything and says how to get one or skip them", () => {
    const run = npmTest([], { CHROMIUM_PATH: "/nowhere/chromium" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("no Chromium at /nowhere/chromium");
    expect(run.stderr).toContain("sudo apt-get install chromium");
    expect(run.stderr).toContain("CHROMIUM_PATH=");
    expect(run.stderr).toContain("CHIRPY_SKIP_BROWSER_TESTS=1 npm test");
    expect(run.stdout).not.toContain("RUN");
  });

  it("told to skip the browser tests, passes and says loudly how many it skipped and where", () => {
    const run = npmTest(["--project", "e2e", "test/e2e/docs-page.test.ts"], {
      CHROMIUM_PATH: "/nowhere/chromium",
      CHIRPY_SKIP_BROWSER_TESTS: "1",
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const loud = run.stdout.match(/!! (\d+) TESTS? SKIPPED \(CHIRPY_SKIP_BROWSER_TESTS=1: no browser tests ran\)/);
    expect(loud, run.stdout).not.toBeNull();
    expect(run.stdout).toContain(`!!   ${loud?.[1]} in test/e2e/docs-page.test.ts`);
  });

  it("prints no line nobody can act on (no 'Using secrets', runner-socket disconnects, Vite config notice) and leaves no log in ~/.config", () => {
    const home = mkdtempSync(path.join(dir, "home-"));
    const lock = path.join(mkdtempSync(path.join(dir, "checkout-")), "npm-test.lock");
    const run = npmTest(["--project", "workers", "test/unit/config.test.ts"], { HOME: home }, lock);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    // wrangler's debug logs of the run sit beside the lock (node_modules/.cache/chirpy-edge/ in a
    // checkout), emptied by the next run, instead of piling up in the home folder.
    expect(existsSync(path.join(home, ".config/.wrangler/logs"))).toBe(false);
    expect(readdirSync(path.join(path.dirname(lock), "wrangler-logs")).filter((f) => f.endsWith(".log"))).not.toEqual(
      [],
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is stripped
    const output = (run.stdout + run.stderr).replace(/\x1b\[[0-9;]*m/g, "");
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toContain("Using secrets defined in");
    expect(output).not.toContain("WebSocket peer disconnected");
    expect(output).not.toContain("configLoader");
  });

  it("refuses at once while another run holds this checkout, naming its pid", () => {
    const lock = path.join(dir, "held.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, started: "2026-12-06T10:00:00.000Z" }));
    const run = npmTest([], {}, lock);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`another run is going on in this checkout (pid ${process.pid}`);
    expect(run.stderr).toContain(`kill ${process.pid}`);
  });

  it("takes over a lock whose run is gone", () => {
    const lock = path.join(dir, "stale.lock");
    // A pid no process has: past the kernel's maximum.
    writeFileSync(lock, JSON.stringify({ pid: 4_194_304 + 1, started: "2026-12-06T10:00:00.000Z" }));
    const run = npmTest(["--project", "e2e", "test/e2e/docs-page.test.ts"], { CHIRPY_SKIP_BROWSER_TESTS: "1" }, lock);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
