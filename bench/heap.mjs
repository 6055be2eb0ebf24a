// `npm run bench:heap`: is the memory a long run leaves behind the isolate's or the runtime's?
// Serves the bench build with workerd's inspector on a loopback port, drives rounds of requests
// (POST /api/refresh, then floor A, the constant route, for comparison), and after each round forces
// a garbage collection over the inspector (HeapProfiler.collectGarbage) and reads the isolate's JS
// heap (Runtime.getHeapUsage) beside the workerd process's RSS. A heap that levels off while RSS
// grows is the runtime's (allocator, caches), not a leak of ours.
// Options (env): HEAP_ROUNDS (8), HEAP_REQUESTS per round (20000), HEAP_CONNECTIONS (32).

import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { buildBench, call, inspectorSession, startBenchServer } from "./serve.mjs";

const ROUNDS = Number(process.env.HEAP_ROUNDS ?? 8);
const PER_ROUND = Number(process.env.HEAP_REQUESTS ?? 20000);
const CONNECTIONS = Number(process.env.HEAP_CONNECTIONS ?? 32);
const INSPECTOR_PORT = 9239;

buildBench();
const { mf, base, rssKb } = await startBenchServer({ inspectorPort: INSPECTOR_PORT });
const email = `heap-${randomBytes(4).toString("hex")}@example.com`;
await call(base, "POST", "/api/users", { body: { email, password: "heap-password" } });
const { refresh_token } = await call(base, "POST", "/api/login", { body: { email, password: "heap-password" } });

/** A DevTools-protocol session with one of workerd's isolates (by inspector target id). */
async function inspect(targetId) {
  const { send, close } = await inspectorSession(INSPECTOR_PORT, targetId);
  await send("HeapProfiler.enable");
  return {
    /** The isolate's JS heap after a full collection, in MB. workerd does not answer
     * HeapProfiler.collectGarbage; a heap snapshot collects garbage first (its chunks are dropped). */
    async heapAfterGcMb() {
      await send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      const { usedSize } = await send("Runtime.getHeapUsage");
      return usedSize / 2 ** 20;
    },
    close,
  };
}

// Our worker's isolate, and the local D1 simulator's (which runs in the same process).
const worker = await inspect("core:user:");
const d1 = await inspect("d1:db:bench-db");
const reading = async () => ({
  workerHeapMb: await worker.heapAfterGcMb(),
  d1HeapMb: await d1.heapAfterGcMb(),
  rssMb: rssKb() / 1024,
});

const scenarios = [
  {
    name: "POST /api/refresh",
    request: { method: "POST", path: "/api/refresh", headers: { authorization: `Bearer ${refresh_token}` } },
  },
  { name: "floor A: constant route", request: { method: "GET", path: "/__bench/hello" } },
];
const rows = [];
for (const scenario of scenarios) {
  const start = await reading();
  rows.push({ scenario: scenario.name, requests: 0, ...start });
  console.log(
    `${scenario.name}: start; heap after GC: worker ${start.workerHeapMb.toFixed(2)} MB, D1 ${start.d1HeapMb.toFixed(2)} MB; RSS ${start.rssMb.toFixed(0)} MB`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    const result = await autocannon({
      url: base,
      connections: CONNECTIONS,
      amount: PER_ROUND,
      timeout: 10,
      requests: [scenario.request],
    });
    rows.push({
      scenario: scenario.name,
      requests: round * PER_ROUND,
      errors: result.errors + result.non2xx,
      p99: result.latency.p99,
      ...(await reading()),
    });
    const last = rows.at(-1);
    console.log(
      `${scenario.name}: ${last.requests} requests; heap after GC: worker ${last.workerHeapMb.toFixed(2)} MB, D1 ${last.d1HeapMb.toFixed(2)} MB; RSS ${last.rssMb.toFixed(0)} MB; p99 ${last.p99} ms; errors ${last.errors}`,
    );
  }
}
worker.close();
d1.close();
await mf.dispose();
