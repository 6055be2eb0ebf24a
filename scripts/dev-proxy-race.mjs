// Reproduces wrangler dev's dropped POSTs: a 503 "Your worker restarted mid-request" although
// nothing restarted. wrangler dev passes each request from its proxy to the Worker's runtime over
// pooled loopback connections; both ends close an idle connection after 5 s (kj's client idle
// timeout and server pipeline timeout), so a request written to a connection idle for just under
// 5 s can meet the runtime's close and is lost. wrangler 4.86 calls every such loss a restart and
// retries only GET and HEAD (cloudflare/workers-sdk#14641, #14593). The Worker never sees the
// request; deployed Workers have no such proxy.
//
// Starts its own server (scripts/start.mjs, a temporary data folder, a free loopback port), then
// for each idle gap sends ROUNDS pairs of bursts (16 POST /api/revoke with an unknown token, the
// gap, 16 more) and prints how many answers were the proxy's 503. Bounded: about
// gaps × ROUNDS × (gap + 1 s). Usage: node scripts/dev-proxy-race.mjs [gap ms ...]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const DROPPED = "Your worker restarted mid-request.";
const gaps = process.argv.slice(2).map(Number);
const GAPS = gaps.length ? gaps : [2000, 4800, 4900, 4950, 6000];
const ROUNDS = 5;
const BURST = 16;

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const base = `http://127.0.0.1:${port}`;
const state = mkdtempSync(path.join(tmpdir(), "chirpy-dev-proxy-race-"));
const server = spawn(
  process.execPath,
  ["scripts/start.mjs", "--port", String(port), "--persist-to", state, "--var", "PLATFORM:dev"],
  { cwd: path.join(import.meta.dirname, ".."), detached: true, stdio: "ignore" },
);
const stop = () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {}
  rmSync(state, { recursive: true, force: true });
};
process.on("exit", stop);
process.on("SIGINT", () => process.exit(130));

const started = Date.now();
while (
  !(await fetch(`${base}/api/healthz`).then(
    (r) => r.ok,
    () => false,
  ))
) {
  if (Date.now() - started > 90_000) throw new Error("the server did not start within 90 s");
  await new Promise((r) => setTimeout(r, 250));
}

const burst = () =>
  Promise.all(
    Array.from({ length: BURST }, async () => {
      const res = await fetch(`${base}/api/revoke`, {
        method: "POST",
        headers: { Authorization: `Bearer ${"0".repeat(64)}` },
      });
      return res.status === 503 && (await res.text()).startsWith(DROPPED);
    }),
  );

console.log(
  `wrangler dev on ${base}: ${BURST} POSTs, a gap with nothing sent, ${BURST} more; ${ROUNDS} rounds per gap`,
);
for (const gap of GAPS) {
  let dropped = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await burst();
    await new Promise((r) => setTimeout(r, gap));
    dropped += (await burst()).filter(Boolean).length;
  }
  console.log(
    `gap ${String(gap).padStart(5)} ms: ${dropped} of ${ROUNDS * BURST} POSTs after the gap dropped by the proxy`,
  );
}
process.exit(0);
