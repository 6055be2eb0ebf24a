// `npm start` owns the server it starts: a signal to npm's process (or to start.mjs) stops wrangler
// and workerd and frees the port, and a port already in use is one clear line before any banner.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "./server";

const root = path.resolve(import.meta.dirname, "../..");
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The processes still alive (not zombies) in process group `group`: npm, start.mjs, wrangler, workerd. */
function aliveInGroup(group: number): string[] {
  const lines = execFileSync("ps", ["-eo", "pgid=,stat=,args="], { encoding: "utf8" }).split("\n");
  return lines.filter((line) => {
    const [pgid, stat] = line.trim().split(/\s+/);
    return Number(pgid) === group && !stat.startsWith("Z");
  });
}

async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/api/healthz`);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe("npm start and its processes", () => {
  it.each([
    ["SIGTERM to npm's own process (kill <pid>)", "SIGTERM", "npm"],
    ["Ctrl-C (SIGINT to the terminal's process group)", "SIGINT", "group"],
  ] as const)(
    "%s stops wrangler and workerd and frees the port",
    async (_, signal, target) => {
      const port = await freePort();
      const persistDir = mkdtempSync(path.join(tmpdir(), "chirpy-start-signal-"));
      let output = "";
      // As a user runs it: npm, then `kill <that pid>` (npm does not pass the signal on to its script).
      const npm = spawn("npm", ["start", "--", "--port", String(port), "--persist-to", persistDir], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true, // its own process group, as a terminal's foreground job; workerd joins it
      });
      const group = npm.pid as number;
      cleanups.push(() => {
        try {
          process.kill(-group, "SIGKILL");
        } catch {
          // the group is gone
        }
        rmSync(persistDir, { recursive: true, force: true });
      });
      npm.stdout.on("data", (d) => (output += d));
      npm.stderr.on("data", (d) => (output += d));
      expect(await waitFor(() => listening(port), 90_000), output).toBe(true);
      expect(aliveInGroup(group).some((line) => line.includes("workerd"))).toBe(true);

      if (target === "npm") npm.kill(signal);
      else process.kill(-group, signal);
      expect(await waitFor(async () => !(await listening(port)), 20_000), "the port is still served").toBe(true);
      expect(await waitFor(async () => aliveInGroup(group).length === 0, 20_000), aliveInGroup(group).join("\n")).toBe(
        true,
      );
      expect(output).not.toContain("Address already in use");
    },
    150_000,
  );

  it("a port already in use is one line before any banner", async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, "127.0.0.1", resolve));
    cleanups.push(() => taken.close());
    const persistDir = mkdtempSync(path.join(tmpdir(), "chirpy-start-port-"));
    cleanups.push(() => rmSync(persistDir, { recursive: true, force: true }));
    const started = spawnSync(
      process.execPath,
      ["scripts/start.mjs", "--port", String(port), "--persist-to", persistDir],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(started.status).toBe(1);
    expect(started.stderr.trim().split("\n")).toEqual([
      `Port ${port} on 127.0.0.1 is in use (another \`npm start\`?): stop it, or start on another port: npm start -- --port ${port + 1}`,
    ]);
    expect(started.stdout).not.toContain("API:");
  });
});
