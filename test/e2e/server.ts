// Starts the server exactly as `npm start` does (wrangler dev on loopback, local D1 with the
// migrations applied) on a free port with its own state directory, and stops it afterwards.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

const LOCAL_BUDGETS = [
  "SIGNUP_MAX_PER_IP:100000",
  "SIGNUP_MAX_GLOBAL:100000",
  "LOGIN_MAX_ATTEMPTS_PER_IP:100000",
  "LOGIN_MAX_FAILURES_PER_IP:100000",
  "LOGIN_MAX_FAILURES_PER_EMAIL:1000",
  "PASSWORD_RESET_MAX_PER_IP:100000",
];

export interface DevServer {
  base: string;
  port: number;
  /** Where this server keeps its local D1 (and other state). */
  persistDir: string;
  process: ChildProcess;
  output(): string;
  stop(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startDevServer(extraArgs: string[] = [], timeoutMs = 90_000): Promise<DevServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const persistDir = mkdtempSync(path.join(tmpdir(), "chirpy-e2e-"));
  let output = "";
  const child = spawn(
    process.execPath,
    [
      "scripts/start.mjs",
      ...["--port", String(port), "--persist-to", persistDir, "--var", "PLATFORM:dev"],
      // Every e2e request comes from 127.0.0.1: the suites sign up and log in more than one network
      // may (the generated .dev.vars says the same; a developer's own .dev.vars may not).
      ...LOCAL_BUDGETS.flatMap((setting) => ["--var", setting]),
      ...extraArgs,
    ],
    // wrangler logs each request at its default level (tests read them): not npm test's quieter one.
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_LOG: "log" } },
  );
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const server: DevServer = {
    base,
    port,
    persistDir,
    process: child,
    output: () => output,
    stop() {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${base}/api/healthz`)).status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.stop();
  throw new Error(`server did not become healthy:\n${output}`);
}

/**
 * What wrangler dev's own proxy answers, as a 503, when it could not pass a non-GET request on to
 * the Worker (the Worker never answered). Under wrangler 4.86 this is mostly not a restart: the
 * proxy's pooled connection to the Worker's runtime was closed by the runtime's 5 s keep-alive
 * timeout as the request was written to it (kj's client and server timeouts are both 5 s;
 * cloudflare/workers-sdk#14641), and 4.86 labels every such failure a restart (#14593).
 * `node scripts/dev-proxy-race.mjs` reproduces it. The Worker's own answers are JSON.
 */
const DEV_PROXY_DROPPED =
  "Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.";

/** True when an answer is wrangler dev's proxy saying it dropped the request, never one of the Worker's. */
export function isDevProxyDrop(status: number, headers: Headers, text: string): boolean {
  return status === 503 && text === DEV_PROXY_DROPPED && headers.get("Retry-After") === "0";
}
